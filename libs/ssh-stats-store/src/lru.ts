/** How big a cached value is (in entries it holds), and how much of that the cache may hold in all. */
export interface LruWeight<V> {
  maxWeight: number;
  weigh: (value: V) => number;
}

/**
 * A Map that forgets its least recently used entries beyond `max` entries or, with a weight, beyond
 * `maxWeight` in all (a busy host's day holds tens of thousands of ids or PIDs, a quiet one a few:
 * a count of entries alone does not bound memory). A value changed in place is re-weighed when it is
 * set again. The most recent entry is kept even when it alone is over the weight.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(private readonly max: number, private readonly bound?: LruWeight<V>) {}

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.bound ? Math.max(1, this.bound.weigh(value)) : 1;
    this.map.set(key, { value, weight });
    this.total += weight;
    while (this.map.size > this.max || (this.bound && this.total > this.bound.maxWeight && this.map.size > 1)) this.delete(this.map.keys().next().value as K);
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  get size(): number {
    return this.map.size;
  }

  /** The sum of the held values' weights (their count without a weight). */
  get weight(): number {
    return this.total;
  }

  private delete(key: K): void {
    const e = this.map.get(key);
    if (e === undefined) return;
    this.map.delete(key);
    this.total -= e.weight;
  }
}
