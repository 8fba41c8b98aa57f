// The sockets of the project's kafkajs clients: kafkajs's own factory (kafkajs 2.2.4,
// src/network/socketFactory.js) plus TCP_NODELAY. kafkajs leaves Nagle's algorithm on, and Node's
// sockets have it on by default; a request written while an earlier one on the same connection is
// still unacknowledged (a produce behind a long-polling fetch, a heartbeat, a commit) then waits
// for the broker's delayed ACK, up to 40 ms on Linux. Every Kafka hop of a send showed that tail
// at 20 sends/s (p99 45–65 ms per hop against medians of 1–6 ms); librdkafka turned Nagle off by
// default for the same reason (confluentinc/librdkafka#4986). The clients batch on their own
// (a request carries every record queued for it), so nothing relies on Nagle to coalesce writes.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { type ISocketFactory } from 'kafkajs';

/** kafkajs's keep-alive delay (KEEP_ALIVE_DELAY). */
const KEEP_ALIVE_DELAY_MS = 60_000;

export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  socket.setNoDelay(true);
  return socket;
};
