// The gateway's own Prometheus series, on service-kit's registry (scraped at /metrics on METRICS_PORT).
import { Injectable } from '@nestjs/common';
import { MetricsService } from '@chat/service-kit';
import { type Counter, type Gauge, type Histogram } from 'prom-client';

@Injectable()
export class GatewayMetrics {
  readonly connectedSockets: Gauge;
  /** Client events received, by event name (unknown names are counted as `unknown`). */
  readonly eventsIn: Counter<'event'>;
  /** Server events emitted, by event name, counted once per receiving local socket. */
  readonly eventsOut: Counter<'event'>;
  /** From receiving a client event to answering its acknowledgement, by event and outcome code. */
  readonly ackLatency: Histogram<'event' | 'outcome'>;
  /** Kafka events consumed for delivery, by topic and outcome (delivered, duplicate, ignored). */
  readonly kafkaEvents: Counter<'topic' | 'outcome'>;
  readonly handshakes: Counter<'outcome'>;
  /** Actions refused `rate_limited`, by budget (`socket-change`, `handshake-address`, `rest-search`, …). */
  readonly rateLimited: Counter<'limit'>;
  /** Event frames too large to parse, answered `too_large` (socket/frame-limit.parser.ts). */
  readonly oversizedFrames: Counter;
  readonly proxyDuration: Histogram<'service' | 'status'>;
  /**
   * Where a delivered message's time went, from the trace headers of its sequenced record:
   * `gateway_to_messaging` (command produced → messaging starts it: Kafka and the wait for its
   * turn), split into `gateway_producer` (until the record left this producer; for a send of the
   * direct hop, until messaging received it) and `kafka_to_messaging` (direct: the wait for its turn); `messaging` (membership check, seq, until the sequenced record left
   * messaging's producer); `kafka_to_gateway` (→ consumed here); `total` (command produced →
   * delivered here).
   */
  readonly messageHops: Histogram<'hop'>;
  /**
   * Sends by the path they took (commands/direct-hop.ts): `direct` to the partition's owner, `bus`
   * through chat.channel.command.v1, `moved` handed to the bus again after the direct hop failed
   * them (the owner refused, went away, or stayed silent); `held` counts sends that waited for the
   * bus to answer their flow's earlier sends before going direct (each is counted again when sent).
   */
  readonly sendRoutes: Counter<'route'>;
  /** Presence signals sent to Kafka, by type (presence/presence-reporter.ts). */
  readonly presenceSignals: Counter<'type'>;
  /** `typing` events received, by outcome (relayed, throttled, refused, failed). */
  readonly typing: Counter<'outcome'>;
  /** Sockets closed because their token expired or their session was revoked, by reason. */
  readonly sessionsClosed: Counter<'reason'>;

  constructor(metrics: MetricsService) {
    this.connectedSockets = metrics.gauge('gateway_sockets_connected', 'Socket.IO connections open on this instance');
    this.eventsIn = metrics.counter('gateway_socket_events_in_total', 'Client-to-server Socket.IO events received', ['event']);
    this.eventsOut = metrics.counter('gateway_socket_events_out_total', 'Server-to-client Socket.IO events sent, per socket', ['event']);
    this.ackLatency = metrics.histogram(
      'gateway_ack_duration_seconds',
      'Time from a client event to its acknowledgement',
      ['event', 'outcome'],
      [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    );
    this.kafkaEvents = metrics.counter('gateway_delivery_events_total', 'Kafka events consumed for delivery', ['topic', 'outcome']);
    this.handshakes = metrics.counter('gateway_handshakes_total', 'Socket.IO handshakes, by outcome', ['outcome']);
    this.rateLimited = metrics.counter('gateway_rate_limited_total', 'Client actions refused rate_limited, by budget', ['limit']);
    this.oversizedFrames = metrics.counter('gateway_socket_oversized_frames_total', 'Client event frames too large to parse, answered too_large');
    this.proxyDuration = metrics.histogram('gateway_proxy_duration_seconds', 'Proxied REST calls, by owning service and status', ['service', 'status']);
    this.messageHops = metrics.histogram(
      'gateway_message_hop_seconds',
      'Time a delivered message spent in each hop of the pipeline (from its trace headers)',
      ['hop'],
      [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30],
    );
    this.sendRoutes = metrics.counter('gateway_send_routes_total', 'message:send commands by the path they took (direct, bus, moved; held: waited to switch to direct)', ['route']);
    this.presenceSignals = metrics.counter('gateway_presence_signals_total', 'Presence signals sent to Kafka, by type', ['type']);
    this.typing = metrics.counter('gateway_typing_total', 'typing events received, by outcome', ['outcome']);
    this.sessionsClosed = metrics.counter('gateway_sessions_closed_total', 'Sockets closed because their token expired or their session was revoked', ['reason']);
  }
}
