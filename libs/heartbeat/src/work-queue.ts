/**
 * A listener's work path: tasks run one at a time, in order. The heartbeat responder queues its answer
 * here, so a listener whose handler is stuck stops answering even though its socket is alive.
 */
export class WorkQueue {
  private readonly tasks: Array<{ run: () => unknown; queuedAt: number }> = [];
  private running = false;
  /** How long the most recent task waited before it started. */
  lastDispatchDelayMs = 0;
  processed = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  get depth(): number {
    return this.tasks.length + (this.running ? 1 : 0);
  }

  push(run: () => unknown): void {
    this.tasks.push({ run, queuedAt: this.now() });
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.tasks.length > 0) {
        const task = this.tasks.shift()!;
        this.lastDispatchDelayMs = this.now() - task.queuedAt;
        try {
          await task.run();
        } catch {
          // A failing task is the task owner's business (it logs); the queue goes on.
        }
        this.processed += 1;
      }
    } finally {
      this.running = false;
    }
  }
}
