/**
 * Runs the calls made side by side as one. The consumer hands over one partition's chunk per call,
 * several at once (the partitions of a fetch, up to partitionsConsumedConcurrently); the calls made
 * in the same turn of the event loop are run together, so their database writes go as one write per
 * collection rather than one per partition. Every caller gets the outcome of the run: a failed run
 * fails them all, and each retries on its own. A call for a key already gathered (the same partition)
 * starts a new run rather than joining one that would then cover it twice.
 */
export class SideBySide<T> {
  private gathering: { items: T[]; keys: Set<unknown>; result: Promise<void> } | undefined;

  constructor(
    private readonly run: (items: T[]) => Promise<void>,
    private readonly keyOf: (item: T) => unknown,
  ) {}

  add(items: T[]): Promise<void> {
    if (!this.gathering || items.some((i) => this.gathering!.keys.has(this.keyOf(i)))) {
      const g: NonNullable<SideBySide<T>['gathering']> = { items: [], keys: new Set(), result: Promise.resolve() };
      // setImmediate: after the other calls of this turn (and their microtasks) have joined.
      g.result = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        if (this.gathering === g) this.gathering = undefined;
        return this.run(g.items);
      });
      this.gathering = g;
    }
    const g = this.gathering;
    g.items.push(...items);
    for (const i of items) g.keys.add(this.keyOf(i));
    return g.result;
  }
}
