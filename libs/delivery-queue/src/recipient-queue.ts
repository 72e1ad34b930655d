import type { QueueItem } from './types';

/**
 * One recipient's waiting items in memory, a FIFO per source (entity), served round-robin: a digest
 * takes one item from each source in turn, so a quiet source's alert waits behind at most one item
 * per other source, however long the flood's queue.
 */
export class RecipientQueue {
  private readonly bySource = new Map<string, QueueItem[]>();
  private count = 0;
  /** Called after every push: the recipient's worker, which then sleeps without a timer while the queue is empty. */
  onPush?: () => void;

  get size(): number {
    return this.count;
  }

  /** `front`: items coming back from a failed send keep their place ahead of newer ones. */
  push(items: QueueItem[], front = false): void {
    for (const i of front ? [...items].reverse() : items) {
      let list = this.bySource.get(i.source);
      if (!list) this.bySource.set(i.source, (list = []));
      if (front) list.unshift(i);
      else list.push(i);
    }
    this.count += items.length;
    if (items.length > 0) this.onPush?.();
  }

  /** Up to `max` items, one per source per round. */
  take(max: number): QueueItem[] {
    const out: QueueItem[] = [];
    while (out.length < max && this.count > 0) {
      for (const [source, list] of this.bySource) {
        out.push(list.shift()!);
        this.count -= 1;
        if (list.length === 0) this.bySource.delete(source);
        if (out.length >= max) break;
      }
    }
    // The sources served first go to the back, so the next digest starts with the others.
    for (const i of out) {
      const list = this.bySource.get(i.source);
      if (!list) continue;
      this.bySource.delete(i.source);
      this.bySource.set(i.source, list);
    }
    return out;
  }

  /** Removes (and returns) the items matching `pred`, e.g. those of partitions this instance no longer owns. */
  removeWhere(pred: (i: QueueItem) => boolean): QueueItem[] {
    const out: QueueItem[] = [];
    for (const [source, list] of this.bySource) {
      const keep = list.filter((i) => !pred(i));
      if (keep.length === list.length) continue;
      out.push(...list.filter(pred));
      if (keep.length === 0) this.bySource.delete(source);
      else this.bySource.set(source, keep);
    }
    this.count -= out.length;
    return out;
  }
}
