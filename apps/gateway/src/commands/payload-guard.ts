// The first checks of every client event, in this order: an acknowledgement callback to answer
// (without one there is nobody to tell, so the event is dropped); the serialized size against
// LIMITS.socketPayloadMaxBytes (`too_large`); one JSON object as payload (`invalid`); the event's
// contract schema (`invalid`, naming the offending fields). Pure, so every case is unit-tested.
import { type Ack, CLIENT_EVENT_SCHEMAS, type ClientEventName, describeIssues, type ErrorDetail } from '@chat/contracts';
import { type z } from 'zod';

export type EventPayload<E extends ClientEventName> = z.infer<(typeof CLIENT_EVENT_SCHEMAS)[E]>;
export type AckFn = (answer: Ack<object>) => void;

export type GuardResult<E extends ClientEventName> =
  /** No acknowledgement callback: the event is dropped (it was required, or the payload was bad). */
  | { kind: 'drop'; reason: string }
  | { kind: 'reject'; ack: AckFn; error: ErrorDetail }
  | { kind: 'accept'; ack: AckFn | undefined; payload: EventPayload<E> };

export interface GuardOptions {
  maxBytes: number;
  /** False for events whose acknowledgement is optional (`typing`). */
  ackRequired: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Bytes of the arguments as JSON, or undefined when they cannot be serialized at all. */
export function serializedSize(args: readonly unknown[]): number | undefined {
  try {
    return Buffer.byteLength(JSON.stringify(args), 'utf8');
  } catch {
    return undefined;
  }
}

export function guardClientEvent<E extends ClientEventName>(event: E, args: readonly unknown[], options: GuardOptions): GuardResult<E> {
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? (last as AckFn) : undefined;
  const payloadArgs = ack ? args.slice(0, -1) : args;
  if (!ack && options.ackRequired) return { kind: 'drop', reason: 'no acknowledgement callback' };

  const reject = (error: ErrorDetail): GuardResult<E> => (ack ? { kind: 'reject', ack, error } : { kind: 'drop', reason: error.message });

  const size = serializedSize(payloadArgs);
  if (size === undefined) return reject({ code: 'invalid', message: 'payload is not serializable' });
  if (size > options.maxBytes) {
    return reject({ code: 'too_large', message: `payload is ${size} bytes; at most ${options.maxBytes} are accepted` });
  }
  if (payloadArgs.length > 1) return reject({ code: 'invalid', message: 'expected one payload object and an acknowledgement callback' });
  const payload = payloadArgs[0];
  if (payload !== undefined && !isPlainObject(payload)) return reject({ code: 'invalid', message: 'payload must be an object' });

  const parsed = CLIENT_EVENT_SCHEMAS[event].safeParse(payload);
  if (!parsed.success) {
    return reject({ code: 'invalid', message: payload === undefined ? 'payload must be an object' : describeIssues(parsed.error.issues) });
  }
  return { kind: 'accept', ack, payload: parsed.data as EventPayload<E> };
}
