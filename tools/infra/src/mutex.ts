/** A turn in a {@link TurnQueue}: `take` waits for all earlier turns; every turn must be released exactly once. */
export interface Turn {
  take(): Promise<void>;
  release(): void;
}

/**
 * Serializes work in the order turns were reserved (not the order they are taken), e.g. Maven
 * runs sharing ~/.m2: Cassandra (the slowest to start) resolves first even if another engine
 * asks earlier. Reserve all turns up front, synchronously.
 */
export class TurnQueue {
  private tail: Promise<void> = Promise.resolve();

  reserve(): Turn {
    const previous = this.tail;
    let release!: () => void;
    const own = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The next turn starts only when this one AND every earlier one are released.
    this.tail = Promise.all([previous, own]).then(() => undefined);
    let released = false;
    return {
      take: () => previous,
      release: () => {
        if (!released) {
          released = true;
          release();
        }
      },
    };
  }
}
