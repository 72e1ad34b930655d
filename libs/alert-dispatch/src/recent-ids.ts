/** The last N event ids seen by this process: catches a producer re-sending an event (same id, new offset). */
export class RecentIds {
  private readonly set = new Set<string>();
  private readonly ring: string[];
  private next = 0;

  constructor(private readonly capacity = 200_000) {
    this.ring = new Array<string>(capacity);
  }

  has(id: string): boolean {
    return this.set.has(id);
  }

  add(id: string): void {
    if (this.set.has(id)) return;
    const old = this.ring[this.next];
    if (old !== undefined) this.set.delete(old);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
    this.set.add(id);
  }
}
