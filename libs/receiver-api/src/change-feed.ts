/** What changed: the dashboard refreshes the pages that show it. */
export type ChangeTopic = 'host-health' | 'ssh' | 'fleet-health';

type Listener = { change: (topic: ChangeTopic) => void; close: () => void };

/**
 * Tells open event streams (GET /v1/events/stream) that the receiver's data changed. Notifications
 * are coalesced per topic for a moment, so a burst of writes is one refresh, not thousands.
 */
export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private readonly pending = new Set<ChangeTopic>();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly coalesceMs = 250) {}

  get subscribers(): number {
    return this.listeners.size;
  }

  notify(topic: ChangeTopic): void {
    if (this.closed || this.listeners.size === 0) return;
    this.pending.add(topic);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.coalesceMs);
      this.timer.unref();
    }
  }

  /** Returns the unsubscribe function; `close` is called when the feed shuts down. */
  subscribe(listener: Listener): () => void {
    if (this.closed) {
      listener.close();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends every stream (shutdown: an open stream would otherwise hold the server open). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const l of [...this.listeners]) l.close();
    this.listeners.clear();
  }

  private flush(): void {
    this.timer = undefined;
    const topics = [...this.pending];
    this.pending.clear();
    for (const l of this.listeners) for (const t of topics) l.change(t);
  }
}
