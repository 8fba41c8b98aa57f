// The wire format of every record: UTF-8 JSON values checked against the topic's schema on both
// sides, string keys, string headers. A producer bug fails at the producer; a record that slipped
// through anyway (another client, an older producer) is recognised on consume and parked.
import { describeIssues, type TopicDefinition, type TopicValue } from '@chat/contracts';

export type DecodeFailureReason = 'not-json' | 'schema-violation';

export type DecodeResult<T extends TopicDefinition> =
  | { ok: true; value: TopicValue<T> }
  | { ok: false; reason: DecodeFailureReason; error: string };

/** Thrown when a producer is handed a value its topic's schema rejects: a bug in the producer. */
export class InvalidPayloadError extends Error {
  constructor(
    readonly topic: string,
    detail: string,
  ) {
    super(`refusing to publish an invalid ${topic} payload: ${detail}`);
    this.name = 'InvalidPayloadError';
  }
}

/**
 * Validates and serialises a value. The parsed value is what is sent, so properties the schema
 * does not know (say, a password hash on a wider object) never leave the process.
 */
export function encodeValue<T extends TopicDefinition>(topic: T, value: TopicValue<T>): string {
  const result = topic.schema.safeParse(value);
  if (!result.success) throw new InvalidPayloadError(topic.name, describeIssues(result.error.issues));
  return JSON.stringify(result.data);
}

export function decodeValue<T extends TopicDefinition>(topic: T, raw: Buffer | null): DecodeResult<T> {
  if (raw === null) return { ok: false, reason: 'not-json', error: 'record has no value' };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'not-json', error: error instanceof Error ? error.message : String(error) };
  }
  const result = topic.schema.safeParse(json);
  if (!result.success) return { ok: false, reason: 'schema-violation', error: describeIssues(result.error.issues) };
  return { ok: true, value: result.data as TopicValue<T> };
}

/** Header values as kafkajs hands them over. */
export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** Flattens headers to strings; a header given several times keeps its last value. */
export function decodeHeaders(headers: RawHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) decoded[name] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return decoded;
}
