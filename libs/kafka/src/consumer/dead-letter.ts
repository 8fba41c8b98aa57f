// A record parked in `<topic>.dlq`: its original key, value bytes and headers unchanged (so it
// can be replayed as it was), plus headers saying where it came from and why it was parked.
import { type DecodeFailureReason, type RawHeaders } from '../codec/record.codec';

export type DeadLetterReason = DecodeFailureReason | 'handler-failed';

export const DEAD_LETTER_HEADERS = {
  topic: 'x-dlq-original-topic',
  partition: 'x-dlq-original-partition',
  offset: 'x-dlq-original-offset',
  timestamp: 'x-dlq-original-timestamp',
  groupId: 'x-dlq-consumer-group',
  reason: 'x-dlq-reason',
  error: 'x-dlq-error',
  attempts: 'x-dlq-attempts',
  failedAt: 'x-dlq-failed-at',
} as const;

/** The raw record as it was fetched. */
export interface RawMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: RawHeaders;
  readonly offset: string;
  readonly timestamp: string;
}

export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly message: RawMessage;
  readonly groupId: string;
  readonly reason: DeadLetterReason;
  readonly error: string;
  /** Handler calls made (0 when the record never reached the handler). */
  readonly attempts: number;
}

/** Where dead letters go; the Kafka implementation publishes them, specs collect them. */
export interface DeadLetterSink {
  send(letter: DeadLetter): Promise<void>;
}

const MAX_ERROR_LENGTH = 1_000;

export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

export function deadLetterHeaders(letter: DeadLetter, now: Date): RawHeaders {
  return {
    ...letter.message.headers,
    [DEAD_LETTER_HEADERS.topic]: letter.topic,
    [DEAD_LETTER_HEADERS.partition]: String(letter.partition),
    [DEAD_LETTER_HEADERS.offset]: letter.message.offset,
    [DEAD_LETTER_HEADERS.timestamp]: letter.message.timestamp,
    [DEAD_LETTER_HEADERS.groupId]: letter.groupId,
    [DEAD_LETTER_HEADERS.reason]: letter.reason,
    [DEAD_LETTER_HEADERS.error]: letter.error,
    [DEAD_LETTER_HEADERS.attempts]: String(letter.attempts),
    [DEAD_LETTER_HEADERS.failedAt]: now.toISOString(),
  };
}
