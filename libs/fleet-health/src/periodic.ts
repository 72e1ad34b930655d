import type { Logger } from '@watchkeeper/runtime';

/**
 * Runs `task(now)` every `intervalMs`, one run at a time (a slow run delays the next, never overlaps it).
 * `now` comes from the injected clock.
 */
export class Periodic {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly opts: { name: string; intervalMs: number; task: (now: Date) => Promise<unknown>; logger: Logger; now?: () => Date }) {}

  start(): void {
    const tick = () => {
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
        if (this.timer) this.timer = setTimeout(tick, this.opts.intervalMs);
      });
    };
    this.timer = setTimeout(tick, this.opts.intervalMs);
  }

  async runOnce(): Promise<void> {
    try {
      await this.opts.task((this.opts.now ?? (() => new Date()))());
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message, task: this.opts.name }, 'periodic task failed; next run will retry');
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
