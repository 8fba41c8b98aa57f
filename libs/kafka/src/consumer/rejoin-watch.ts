// Catches a consumer that kafkajs restarted after a retriable crash but that never runs again.
// kafkajs restarts such a consumer itself (e.g. after "The coordinator is loading" when a broker
// returns); sometimes the restarted consumer neither joins its group nor fetches, and says
// nothing: the process stays up and ready while that group consumes nothing (tulios/kafkajs#1630;
// seen here after a broker kill -9 in the failover tier: a gateway's delivery consumer went
// silent for good). After such a restart the watch expects the consumer to fetch again within
// `timeoutMs`; if it does not, `stalled` is called, and the factory treats the consumer as
// crashed for good (a fresh client, or liveness failing).
export interface RejoinTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: RejoinTimers = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class RejoinWatch {
  private timer: unknown;
  private done = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly stalled: () => void,
    private readonly timers: RejoinTimers = REAL_TIMERS,
  ) {}

  /** kafkajs crashed the consumer and will restart it: it must fetch again within the timeout. */
  restarting(): void {
    if (this.done) return;
    this.cancel();
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      this.done = true;
      this.stalled();
    }, this.timeoutMs);
  }

  /** The consumer fetched: it runs. */
  fetched(): void {
    this.cancel();
  }

  /** The consumer is stopped or replaced: nothing more to watch. */
  close(): void {
    this.done = true;
    this.cancel();
  }

  private cancel(): void {
    if (this.timer === undefined) return;
    this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
