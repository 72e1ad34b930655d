import type { LocalZone } from './local-time';

const DAY_MS = 86_400_000;

/** What the clock knows after some lines; stored with a checkpoint so a resumed read keeps the year. */
export interface YearClockState {
  year?: number;
  lastMonth?: number;
  lastMs?: number;
}

/**
 * Turns classic syslog stamps (`Mar 29 17:37:18`, no year) into instants. The year is given (`year`
 * = year of the first such line) or inferred from `now`; a month that goes back by more than one
 * (Dec → Jan) starts the next year; an inferred date is never more than a day in the future.
 */
export class YearClock {
  private state: YearClockState;
  /**
   * state.lastMs kept in a field of its own (NaN: none yet): a double stored into the state object
   * cost a new heap number per stamp; snapshot() puts it back.
   */
  private lastMs: number;

  constructor(
    private readonly zone: LocalZone,
    private readonly opts: { year?: number; now: () => number },
    state: YearClockState = {},
  ) {
    const { lastMs, ...rest } = state;
    this.state = rest;
    this.lastMs = lastMs ?? NaN;
    if (this.state.year === undefined && opts.year !== undefined) this.state.year = opts.year;
  }

  snapshot(): YearClockState {
    return Number.isNaN(this.lastMs) ? { ...this.state } : { ...this.state, lastMs: this.lastMs };
  }

  private get notBefore(): number | undefined {
    return Number.isNaN(this.lastMs) ? undefined : this.lastMs;
  }

  /** month 1–12; returns UTC ms. */
  classic(month: number, day: number, h: number, m: number, s: number): number {
    const st = this.state;
    const inferred = this.opts.year === undefined;
    if (st.year === undefined) {
      st.year = this.yearOfNow();
      if (this.instant(st.year, month, day, h, m, s) > this.opts.now() + DAY_MS) st.year -= 1;
    } else if (st.lastMonth !== undefined && month < st.lastMonth - 1) {
      st.year += 1;
    }
    if (st.lastMonth === undefined || month >= st.lastMonth || month < st.lastMonth - 1) st.lastMonth = month;
    let ms = this.instant(st.year, month, day, h, m, s);
    if (inferred && ms > this.opts.now() + DAY_MS) {
      st.year -= 1;
      ms = this.instant(st.year, month, day, h, m, s);
    }
    this.lastMs = ms;
    return ms;
  }

  /** An ISO stamp without offset: wall time in the zone. */
  wall(y: number, month: number, day: number, h: number, m: number, s: number, fracMs: number): number {
    const ms = this.zone.toUtc(Date.UTC(y, month - 1, day, h, m, s) + fracMs, this.notBefore);
    this.lastMs = ms;
    return ms;
  }

  /** An instant read from a stamp with offset: only remembered, for DST ordering. */
  seen(ms: number): void {
    this.lastMs = ms;
  }

  private instant(y: number, month: number, day: number, h: number, m: number, s: number): number {
    return this.zone.toUtc(Date.UTC(y, month - 1, day, h, m, s), this.notBefore);
  }

  private yearOfNow(): number {
    const now = this.opts.now();
    return new Date(now + this.zone.offsetAt(now)).getUTCFullYear();
  }
}
