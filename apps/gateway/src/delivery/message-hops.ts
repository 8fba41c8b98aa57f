// The per-hop breakdown of delivered messages (gateway_message_hop_seconds), read from the trace
// headers a sample of commands carries through messaging (TRACE_HEADERS of @chat/kafka).
import { TRACE_HEADERS, traceNow, traceSpan } from '@chat/kafka';
import { type GatewayMetrics } from '../metrics/gateway.metrics';

/**
 * Hop durations of one delivered message, from its trace headers (an untraced message: nothing
 * observed) and the Kafka timestamps of the command (stamped by messaging) and of the sequenced
 * record (`sentAt`): when each record left its producer, so a producer's queue and a consumer's
 * lag are told apart.
 */
export function observeHops(hops: Pick<GatewayMetrics['messageHops'], 'observe'>, headers: Readonly<Record<string, string>>, sentAt: number): void {
  const published = headers[TRACE_HEADERS.gatewayPublished];
  // Only sampled commands carry headers (TRACE_SAMPLE_EVERY): every hop counts the same messages.
  if (published === undefined) return;
  const now = traceNow();
  const commandSent = headers[TRACE_HEADERS.commandSent];
  const started = headers[TRACE_HEADERS.messagingStarted];
  const spans: [string, number | undefined][] = [
    ['gateway_to_messaging', traceSpan(published, started)],
    ['gateway_producer', traceSpan(published, commandSent)],
    ['kafka_to_messaging', traceSpan(commandSent, started)],
    ['messaging', traceSpan(started, String(sentAt))],
    ['kafka_to_gateway', traceSpan(String(sentAt), now)],
    ['total', traceSpan(published, now)],
  ];
  for (const [hop, ms] of spans) if (ms !== undefined) hops.observe({ hop }, Math.max(0, ms) / 1000);
}
