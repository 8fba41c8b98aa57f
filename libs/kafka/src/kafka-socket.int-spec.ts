// Against the real broker: every connection the bus library's kafkajs clients open has Nagle's
// algorithm off (kafka-socket.ts), so a request never waits for the broker's delayed ACK.
import * as net from 'node:net';
import { KafkaClients } from './kafka-clients';
import { resolveKafkaOptions } from './kafka.options';
import { TEST_BROKERS } from './testing/kafka-test.env';

jest.setTimeout(60_000);

describe('KafkaClients sockets', () => {
  afterEach(() => jest.restoreAllMocks());

  it('open every broker connection with TCP_NODELAY', async () => {
    // kafkajs's own factory and ours both set keep-alive on every socket they open.
    const opened = new Set<net.Socket>();
    const noDelay = new Set<net.Socket>();
    const keepAlive = net.Socket.prototype.setKeepAlive;
    jest.spyOn(net.Socket.prototype, 'setKeepAlive').mockImplementation(function (this: net.Socket, ...args: Parameters<net.Socket['setKeepAlive']>) {
      opened.add(this);
      return keepAlive.apply(this, args);
    });
    const setNoDelay = net.Socket.prototype.setNoDelay;
    jest.spyOn(net.Socket.prototype, 'setNoDelay').mockImplementation(function (this: net.Socket, enabled?: boolean) {
      if (enabled !== false) noDelay.add(this);
      return setNoDelay.call(this, enabled);
    });
    const clients = new KafkaClients(resolveKafkaOptions({ clientId: 'nodelay-spec', brokers: [...TEST_BROKERS] }));
    const admin = clients.main.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
      expect(opened.size).toBeGreaterThan(0);
      expect([...opened].filter((socket) => !noDelay.has(socket)).length).toBe(0);
    } finally {
      await admin.disconnect();
    }
  });
});
