// What a dead-letter replay is, whichever bus it reads: which letters it takes (the --group and
// --reason filters), what it publishes for each (the original key, value and headers, the x-dlq-*
// ones dropped and `x-dlq-replayed-from` added), what it reports, where its progress is kept, and
// when it is finished (at the end each dead-letter partition had when it started). The transports
// (kafka-replay.ts, rabbitmq-replay.ts) only read letters, publish copies and keep offsets.
import { deadLetterTopicName } from '@chat/contracts';
import { decodeHeaders, type RawHeaders } from '../codec/record.codec';
import { DEAD_LETTER_HEADERS, type RawMessage } from '../consumer/dead-letter';

export interface ReplayFilterOptions {
  /** The source topic's contract name, e.g. `chat.channel.membership.v1`. */
  topic: string;
  /** The deployment's topic and group prefix (KAFKA_TOPIC_PREFIX, on either bus). Default none. */
  prefix?: string;
  /** Only letters parked by this consumer group (as named in the service's config, without the prefix). */
  groupId?: string;
  /** Only letters with this reason (`handler-failed`, `not-json`, `schema-violation`). */
  reason?: string;
  /** List every letter kept, from the oldest, without publishing or recording any progress. */
  dryRun?: boolean;
  /** Called once per letter (replayed, skipped or listed). */
  onLetter?: (letter: ReplayedLetter) => void;
  /** Give up when the end is not reached within this. Default 60 s. */
  timeoutMs?: number;
}

export interface ReplayedLetter {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly group: string | undefined;
  readonly reason: string | undefined;
  readonly error: string | undefined;
  readonly action: 'replayed' | 'skipped' | 'listed';
}

export interface ReplaySummary {
  readonly deadLetterTopic: string;
  readonly sourceTopic: string;
  readonly replayed: number;
  readonly skipped: number;
  readonly listed: number;
}

/** The copy of a letter that goes back to its topic. */
export interface ReplayCopy {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RawHeaders;
}

export const REPLAYED_FROM_HEADER = 'x-dlq-replayed-from';

const DLQ_HEADER_NAMES = new Set<string>(Object.values(DEAD_LETTER_HEADERS));
const DEFAULT_TIMEOUT_MS = 60_000;

/** The original headers of a letter: the x-dlq-* ones removed, the rest unchanged (bytes stay bytes). */
export function originalHeaders(headers: RawHeaders | undefined): RawHeaders {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name, value]) => !DLQ_HEADER_NAMES.has(name) && value !== undefined));
}

/** One run of a replay: the filters, the copies, the counts. */
export class LetterReplay {
  readonly sourceTopic: string;
  readonly deadLetterTopic: string;
  /**
   * Where the progress of this filter is kept (a consumer group on Kafka, leases on RabbitMQ):
   * `<prefix>dlq-replay.<topic>[.<group>][.<reason>]`, so each filter resumes on its own.
   */
  readonly progressName: string;
  private readonly wantedGroup: string | undefined;
  private readonly counts = { replayed: 0, skipped: 0, listed: 0 };

  constructor(private readonly options: ReplayFilterOptions) {
    const prefix = options.prefix ?? '';
    this.sourceTopic = `${prefix}${options.topic}`;
    this.deadLetterTopic = deadLetterTopicName(this.sourceTopic);
    this.wantedGroup = options.groupId === undefined ? undefined : `${prefix}${options.groupId}`;
    this.progressName = `${prefix}dlq-replay.${options.topic}${options.groupId ? `.${options.groupId}` : ''}${options.reason ? `.${options.reason}` : ''}`;
  }

  get dryRun(): boolean {
    return this.options.dryRun ?? false;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Skips, lists or publishes (through `publish`, resolved once the bus confirmed the copy) one letter. */
  async handle(partition: number, letter: RawMessage, publish: (copy: ReplayCopy) => Promise<void>): Promise<void> {
    const headers = decodeHeaders(letter.headers);
    const group = headers[DEAD_LETTER_HEADERS.groupId];
    const reason = headers[DEAD_LETTER_HEADERS.reason];
    const wanted = (this.wantedGroup === undefined || group === this.wantedGroup) && (this.options.reason === undefined || reason === this.options.reason);
    let action: ReplayedLetter['action'];
    if (!wanted) action = 'skipped';
    else if (this.dryRun) action = 'listed';
    else {
      const original = headers[DEAD_LETTER_HEADERS.topic] ?? this.sourceTopic;
      if (original !== this.sourceTopic) throw new Error(`letter ${partition}/${letter.offset} came from ${original}, not ${this.sourceTopic}`);
      await publish({
        key: letter.key,
        value: letter.value,
        headers: { ...originalHeaders(letter.headers), [REPLAYED_FROM_HEADER]: `${this.deadLetterTopic}/${partition}/${letter.offset}` },
      });
      action = 'replayed';
    }
    this.counts[action]++;
    this.options.onLetter?.({
      partition,
      offset: letter.offset,
      key: letter.key === null ? null : letter.key.toString(),
      group,
      reason,
      error: headers[DEAD_LETTER_HEADERS.error],
      action,
    });
  }

  summary(): ReplaySummary {
    return { deadLetterTopic: this.deadLetterTopic, sourceTopic: this.sourceTopic, ...this.counts };
  }
}

/**
 * When a replay is finished: every dead-letter partition read up to the end it had at the start
 * (the offset after its last letter then). Letters parked meanwhile are left for the next run.
 */
export class ReplayEnds {
  private readonly pending = new Set<number>();
  private finish: () => void = () => undefined;
  private fail: (error: Error) => void = () => undefined;
  private readonly finished = new Promise<void>((resolve, reject) => {
    this.finish = resolve;
    this.fail = reject;
  });

  constructor(
    private readonly deadLetterTopic: string,
    private readonly ends: ReadonlyMap<number, bigint>,
  ) {
    for (const [partition, end] of ends) if (end > 0n) this.pending.add(partition);
    // Nobody may be waiting yet when a reader fails.
    this.finished.catch(() => undefined);
  }

  /** Partitions with letters before their end, not yet read to it. */
  get unfinished(): number[] {
    return [...this.pending];
  }

  /** A partition's reading starts at `offset` (its first letter kept, or its recorded progress): nothing to do there when it is past the end. */
  startsAt(partition: number, offset: bigint): void {
    if (offset >= (this.ends.get(partition) ?? 0n)) this.reached(partition);
  }

  /** The letter at `offset` was there when the replay started. */
  includes(partition: number, offset: string): boolean {
    return BigInt(offset) < (this.ends.get(partition) ?? 0n);
  }

  /** The letters of `partition` up to `offset` are handled (and their progress recorded). */
  handled(partition: number, offset: string): void {
    if (BigInt(offset) + 1n >= (this.ends.get(partition) ?? 0n)) this.reached(partition);
  }

  failed(error: unknown): void {
    this.fail(error instanceof Error ? error : new Error(String(error)));
  }

  /** Resolves once every partition reached its end; rejects on the first failure, or after `timeoutMs`. */
  async wait(timeoutMs: number, hint = ''): Promise<void> {
    if (this.pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the replay did not reach the end of ${this.deadLetterTopic} within ${timeoutMs} ms (partitions ${this.unfinished.join(', ')} unfinished)${hint}`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.finished, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private reached(partition: number): void {
    this.pending.delete(partition);
    if (this.pending.size === 0) this.finish();
  }
}
