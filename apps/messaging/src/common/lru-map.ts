import { RecencyMap } from './recency-map';

/** A Map bounded to `capacity` entries that evicts the least recently used one (a RecencyMap whose every entry may go). */
export class LruMap<K, V> extends RecencyMap<K, V> {
  override set(key: K, value: V): void {
    super.set(key, value);
    this.trim(1);
  }
}
