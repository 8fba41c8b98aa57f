/**
 * A Map in recency order whose least recently used entries are evicted by `trim`, but only those
 * the owner says may go: an entry still in use is moved to the newest end and the next one is
 * tried, so the map stays above its capacity while its old entries are busy (and shrinks back once
 * they are not). Unlike LruMap, eviction is the owner's explicit step, made where it is safe.
 */
export class RecencyMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(
    readonly capacity: number,
    private readonly evictable: (key: K, value: V) => boolean = () => true,
    private readonly evicted: (key: K) => void = () => undefined,
  ) {}

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Sets the value as the most recently used; evicts nothing (see `trim`). */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  keys(): IterableIterator<K> {
    return this.entries.keys();
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * While above capacity, looks at the least recently used entry: evicts it if allowed, else
   * moves it to the newest end. Looks at `checks` entries at most (bounded work per call).
   */
  trim(checks = Number.POSITIVE_INFINITY): number {
    let evicted = 0;
    for (let looked = 0; looked < checks && this.entries.size > this.capacity; looked++) {
      const oldest = this.entries.entries().next();
      if (oldest.done) break;
      const [key, value] = oldest.value;
      this.entries.delete(key);
      if (this.evictable(key, value)) {
        this.evicted(key);
        evicted++;
      } else {
        this.entries.set(key, value);
      }
    }
    return evicted;
  }
}
