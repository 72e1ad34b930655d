/** Token bucket: at most `max` sends per `perMs`, refilled continuously. */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(private readonly max: number, private readonly perMs: number, private readonly now: () => number = Date.now) {
    this.tokens = max;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.max, this.tokens + ((t - this.last) * this.max) / this.perMs);
    this.last = t;
  }

  /** Milliseconds until a token is available (0 = now). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * this.perMs) / this.max);
  }

  take(): void {
    this.refill();
    this.tokens -= 1;
  }
}
