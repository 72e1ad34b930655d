import { performance } from 'node:perf_hooks';

/**
 * Time as the heartbeat server sees it. Verdicts use `monotonicMs` (never jumps with NTP or the
 * listeners' clocks); `wallMs` is only for the timestamps people read.
 */
export interface Clock {
  monotonicMs(): number;
  wallMs(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  monotonicMs: () => performance.now(),
  wallMs: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A virtual clock for deterministic simulations: timers fire in time order when the test advances it,
 * and pending promise callbacks run between timers, so async code behaves as under the real clock.
 */
export class VirtualClock implements Clock {
  private now = 0;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(private readonly wallStartMs = Date.UTC(2026, 0, 1)) {}

  monotonicMs(): number {
    return this.now;
  }

  wallMs(): number {
    return this.wallStartMs + this.now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.now + Math.max(0, ms), fn };
    // Keep sorted by (at, id): binary search for the insertion point.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const t = this.timers[mid];
      if (t.at < timer.at || (t.at === timer.at && t.id < timer.id)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    const i = this.timers.findIndex((t) => t.id === handle);
    if (i >= 0) this.timers.splice(i, 1);
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Runs every timer due up to `now + ms`, in order, letting promise callbacks settle after each. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    await settle();
    while (this.timers.length > 0 && this.timers[0].at <= until) {
      const t = this.timers.shift()!;
      this.now = t.at;
      t.fn();
      await settle();
    }
    this.now = until;
  }
}

async function settle(): Promise<void> {
  // A few turns of the microtask queue: enough for the short promise chains in the runner.
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
