import type { SshEvent } from '@watchkeeper/contracts';
import { CalendarDay, SESSION_SILENCE_MS } from '@watchkeeper/ssh-stats';
import { addToDay, cloneDay, emptyDay, type DayDelta, type DayState, type PidDayState } from './ssh-day-state';

const DAY_MS = 86_400_000;
const QUARTER_HOUR_MS = 15 * 60_000;

export type AggregatedEvent = Pick<SshEvent, 'host' | 'time' | 'kind' | 'pid' | 'count' | 'method' | 'sourceIp' | 'sourceInferred'>;

export const dayId = (host: string, date: string): string => `${host}|${date}`;
const utcDates = new Map<number, string>();
/** YYYY-MM-DD of a UTC day number (days since the epoch); memoised: called several times per event. */
export function utcDate(dayNumber: number): string {
  let s = utcDates.get(dayNumber);
  if (s === undefined) {
    if (utcDates.size > 10_000) utcDates.clear();
    utcDates.set(dayNumber, (s = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10)));
  }
  return s;
}

/**
 * The stored state one batch reads and changes: day states by `host|date` and PID days by
 * `host|utcDate`. `base` holds what is stored (or cached); what the batch changes is listed in
 * `changed`. With `copyOnWrite` a changed state is a copy (the base stays as it was); without, the
 * base object itself changes — for callers that drop all cached state when a batch fails (cheaper:
 * a busy host's day holds thousands of PIDs and addresses).
 */
export class WorkingState {
  /** null: known not to be stored. */
  readonly baseDays = new Map<string, DayState | null>();
  readonly basePidDays = new Map<string, PidDayState | null>();
  readonly changedDays = new Map<string, DayState>();
  readonly changedPidDays = new Map<string, PidDayState>();
  /** Per changed day: the addresses and attempts this batch added. */
  readonly dayDeltas = new Map<string, DayDelta>();
  /** Per changed PID day: the PIDs whose span this batch changed. */
  readonly changedPids = new Map<string, Set<number>>();

  constructor(private readonly copyOnWrite = true) {}

  day(id: string): DayState | undefined {
    const d = this.changedDays.get(id) ?? this.baseDays.get(id);
    if (d === undefined) throw new Error(`day ${id} was not loaded`);
    return d ?? undefined;
  }

  dayForWrite(host: string, date: string): DayState {
    const id = dayId(host, date);
    let d = this.changedDays.get(id);
    if (!d) {
      const base = this.day(id);
      this.changedDays.set(id, (d = base ? (this.copyOnWrite ? cloneDay(base) : base) : emptyDay(host, date)));
    }
    return d;
  }

  dayDelta(host: string, date: string): DayDelta {
    const id = dayId(host, date);
    let d = this.dayDeltas.get(id);
    if (!d) this.dayDeltas.set(id, (d = { sources: new Set(), attempts: new Map() }));
    return d;
  }

  pidChanged(id: string, pid: number): void {
    let set = this.changedPids.get(id);
    if (!set) this.changedPids.set(id, (set = new Set()));
    set.add(pid);
  }

  pidDay(id: string): PidDayState | undefined {
    const p = this.changedPidDays.get(id) ?? this.basePidDays.get(id);
    if (p === undefined) throw new Error(`PID day ${id} was not loaded`);
    return p ?? undefined;
  }

  pidDayForWrite(id: string): PidDayState {
    let p = this.changedPidDays.get(id);
    if (!p) {
      const base = this.pidDay(id);
      this.changedPidDays.set(id, (p = base && !this.copyOnWrite ? base : new Map([...(base ?? [])].map(([pid, span]) => [pid, [...span] as [number, number]]))));
    }
    return p;
  }
}

/**
 * Applies sshd events to per-host, per-day state with exactly the rules of SshStatsAccumulator (the
 * collector's `count`), touching only the days the events fall on and their neighbours: the work per
 * event does not depend on how much history is stored.
 *
 * Sessions: a PID's line at t starts a session iff no line of that PID lies in [t − 24 h, t). Only a
 * UTC day's first line of a PID can do so, and only the previous UTC day's last line can prevent it,
 * so adding a line changes at most the starts of its own UTC day and the next; each start counts on
 * the date (in the store's zone) of its time. A late line may thus move a start to another date or
 * merge two spans: the start's count moves or disappears.
 */
export class SshBatchAggregator {
  private readonly localDatesCache = new Map<number, string[]>();

  constructor(readonly calendar: CalendarDay) {}

  /** The ids a batch of events reads: day states and PID days (the caller loads them first). */
  needed(events: Iterable<AggregatedEvent>): { days: Set<string>; pidDays: Set<string> } {
    const days = new Set<string>();
    const pidDays = new Set<string>();
    for (const e of events) {
      const t = Date.parse(e.time);
      days.add(dayId(e.host, this.calendar.of(t)));
      if (e.pid <= 0) continue;
      const d = Math.floor(t / DAY_MS);
      for (let k = -1; k <= 1; k++) pidDays.add(dayId(e.host, utcDate(d + k)));
      // Session starts of UTC days d and d+1 count on one of the local dates those days overlap.
      for (const k of [0, 1]) for (const date of this.localDatesOf(d + k)) days.add(dayId(e.host, date));
    }
    return { days, pidDays };
  }

  /** Adds events (each new: the caller deduplicates by event id) to the working state. */
  apply(events: Iterable<AggregatedEvent>, state: WorkingState): void {
    for (const e of events) {
      const t = Date.parse(e.time);
      if (Number.isNaN(t)) throw new RangeError(`event time is not a date: ${JSON.stringify(e.time)}`);
      const date = this.calendar.of(t);
      addToDay(state.dayForWrite(e.host, date), e, state.dayDelta(e.host, date));
      if (e.pid > 0) this.addLine(state, e.host, e.pid, t);
    }
  }

  private addLine(state: WorkingState, host: string, pid: number, t: number): void {
    const d = Math.floor(t / DAY_MS);
    const id = dayId(host, utcDate(d));
    const cur = state.pidDay(id)?.get(pid);
    if (cur && cur[0] <= t && t <= cur[1]) return;
    const before = [this.startOf(state, host, pid, d), this.startOf(state, host, pid, d + 1)];
    const span = state.pidDayForWrite(id).get(pid);
    state.pidChanged(id, pid);
    if (!span) state.pidDayForWrite(id).set(pid, [t, t]);
    else {
      span[0] = Math.min(span[0], t);
      span[1] = Math.max(span[1], t);
    }
    const after = [this.startOf(state, host, pid, d), this.startOf(state, host, pid, d + 1)];
    for (let i = 0; i < 2; i++) {
      if (before[i] === after[i]) continue;
      if (before[i] !== undefined) state.dayForWrite(host, this.calendar.of(before[i]!)).sessions -= 1;
      if (after[i] !== undefined) state.dayForWrite(host, this.calendar.of(after[i]!)).sessions += 1;
    }
  }

  /** The session start on UTC day `d` of this PID (its first line that day), or undefined when none starts there. */
  private startOf(state: WorkingState, host: string, pid: number, d: number): number | undefined {
    const cur = state.pidDay(dayId(host, utcDate(d)))?.get(pid);
    if (!cur) return undefined;
    const prev = state.pidDay(dayId(host, utcDate(d - 1)))?.get(pid);
    return !prev || prev[1] < cur[0] - SESSION_SILENCE_MS ? cur[0] : undefined;
  }

  /** Every local date an instant of UTC day `d` has (two, or three in a zone whose date steps back). */
  private localDatesOf(d: number): string[] {
    let dates = this.localDatesCache.get(d);
    if (!dates) {
      const set = new Set<string>();
      for (let t = d * DAY_MS; t < (d + 1) * DAY_MS; t += QUARTER_HOUR_MS) set.add(this.calendar.of(t));
      dates = [...set];
      if (this.localDatesCache.size > 1000) this.localDatesCache.clear();
      this.localDatesCache.set(d, dates);
    }
    return dates;
  }
}
