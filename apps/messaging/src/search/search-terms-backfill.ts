// One-time backfill of migration 0012: messages stored while their search terms lived in
// message_search (0008 to 0011) have no `terms` in their row, so search on `messages` would not
// find them. This copies each search row's terms into its message row, as of the search row's own
// write time (USING TIMESTAMP): an edit or a delete written after it, by this version or the last,
// keeps winning, and a replayed copy rewrites the same cells.
//
// Once per keyspace: its progress is a keyspace_settings record, `after:<token>` (every partition
// of message_search up to that token is copied) and finally `done`. The first instance to start
// claims it; each page of partitions is copied, then the record moves forward by compare-and-set
// from the value this instance read, so a second instance running at the same time stops at its
// first lost step (it may have copied one page again: harmless), and an instance that stops or
// crashes leaves the record where the next start resumes. Runs in the background after start-up;
// until it is done, messages stored before the upgrade may be missing from search results.
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../common/clock';
import { KeyspaceSettingsRepository } from '../messages/keyspace-settings.repository';
import { type SearchPartition, SearchTermsBackfillRepository } from './search-terms-backfill.repository';

export const SEARCH_TERMS_BACKFILL = 'search_terms_backfill';
const DONE = 'done';
/** Below every Murmur3 token a partition can have (the partitioner never hands out Long.MIN_VALUE). */
const MIN_TOKEN = -(2n ** 63n);
const PARTITIONS_PER_PAGE = 50;
const PARTITIONS_IN_FLIGHT = 4;
const RETRY_MS = 5_000;

export type BackfillOutcome = 'done' | 'overtaken' | 'stopped';

@Injectable()
export class SearchTermsBackfill implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SearchTermsBackfill.name);
  private stopping = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly settings: KeyspaceSettingsRepository,
    private readonly store: SearchTermsBackfillRepository,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.untilSettled();
  }

  /** Settles when the run started at start-up has finished, given up or stopped. */
  settled(): Promise<void> {
    return this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Copies what is left to copy; `overtaken` when another instance moved the record first. */
  async run(pageSize = PARTITIONS_PER_PAGE): Promise<BackfillOutcome> {
    let record = await this.settings.claim(SEARCH_TERMS_BACKFILL, positionAfter(MIN_TOKEN));
    let copied = 0;
    while (record !== DONE) {
      if (this.stopping) return 'stopped';
      const page = await this.store.partitionsAfter(tokenOf(record), pageSize);
      for (let i = 0; i < page.length; i += PARTITIONS_IN_FLIGHT) {
        const counts = await Promise.all(page.slice(i, i + PARTITIONS_IN_FLIGHT).map((p) => this.copy(p)));
        copied += counts.reduce((a, b) => a + b, 0);
      }
      const last = page[page.length - 1];
      const next = last ? positionAfter(last.token) : DONE;
      if (!(await this.settings.replace(SEARCH_TERMS_BACKFILL, record, next))) return 'overtaken';
      record = next;
    }
    if (copied > 0) this.logger.log(`search terms backfill done: ${copied} rows copied into messages`);
    return 'done';
  }

  /** Copies one partition's rows whose message is stored; returns how many. */
  private async copy(partition: SearchPartition): Promise<number> {
    const [rows, stored] = await Promise.all([this.store.searchRows(partition), this.store.storedSeqs(partition)]);
    // An UPDATE of a missing message would create a row with nothing but terms.
    const copies = rows.filter((row) => stored.has(row.seq) && row.terms.length > 0);
    await Promise.all(copies.map((row) => this.store.copyTerms(partition, row.seq, row.terms, row.written)));
    return copies.length;
  }

  private async untilSettled(): Promise<void> {
    while (!this.stopping) {
      try {
        const outcome = await this.run();
        if (outcome === 'overtaken') this.logger.log('search terms backfill: another instance is copying');
        return;
      } catch (error) {
        this.logger.warn({ err: error }, `search terms backfill failed; resuming in ${RETRY_MS / 1000} s`);
        await this.clock.sleep(RETRY_MS);
      }
    }
  }
}

function positionAfter(token: bigint): string {
  return `after:${token}`;
}

function tokenOf(record: string): bigint {
  const match = /^after:(-?\d+)$/.exec(record);
  if (!match?.[1]) throw new Error(`unexpected ${SEARCH_TERMS_BACKFILL} record: ${record}`);
  return BigInt(match[1]);
}
