import type { SshDayStats, SshEvent } from '@watchkeeper/contracts';
import { CalendarDay } from './calendar-day';
import { SessionSpans } from './session-spans';

/** The fields of an event the statistics use; `count` defaults to 1 as in the contract. */
export type SshStatsInput = Pick<SshEvent, 'host' | 'time' | 'kind' | 'pid'> & Partial<Pick<SshEvent, 'sourceIp' | 'sourceInferred' | 'method' | 'count'>>;

interface DayCounts {
  accepted: number;
  failed: number;
  invalidUser: number;
  sources: Set<string>;
}

/**
 * Per-host, per-day SSH statistics from sshd events — the one implementation shared by the one-shot
 * `count` CLI and the receiver, so both give the same numbers for the same lines:
 *  - sessions: distinct sshd PIDs, each counted on the day of its first line; a PID seen again after
 *    more than 24 h of silence is a new session;
 *  - accepted: Accepted lines; failed: "Failed <method> …" lines except method `none`;
 *    invalidUser: "Invalid user …" lines — each weighted by `count` (`message repeated N times`);
 *  - sources: distinct client addresses stated in the lines (an address carried over from an earlier
 *    line of the PID, `sourceInferred`, is not counted again: it depends on where reading began).
 * PID 0 means the line named no PID (e.g. `[sshd]:`); such lines count for everything but sessions.
 * Events may be added in any order; the result depends only on the set of events. Feeding the same
 * event twice counts it twice — callers deduplicate by event id.
 */
export class SshStatsAccumulator {
  private readonly calendar: CalendarDay;
  private readonly days_ = new Map<string, Map<string, DayCounts>>();
  private readonly sessions = new Map<string, Map<number, SessionSpans>>();
  /** Logs are mostly one host, one day at a time: the last lookups are kept. */
  private lastHost = '';
  private lastPids: Map<number, SessionSpans> | undefined;
  /** … and a connection's lines mostly come together: its PID's spans and its address. */
  private lastPid = -1;
  private lastSpans: SessionSpans | undefined;
  private lastDayHost = '';
  private lastDate = '';
  private lastDay: DayCounts | undefined;
  private lastSource = '';

  constructor(opts: { timeZone?: string } = {}) {
    this.calendar = new CalendarDay(opts.timeZone ?? 'UTC');
  }

  get timeZone(): string {
    return this.calendar.timeZone;
  }

  /** `timeMs` may be passed when the caller has the instant already (saves parsing `time`). */
  add(event: SshStatsInput, timeMs?: number): void {
    const t = timeMs ?? Date.parse(event.time);
    if (Number.isNaN(t)) throw new RangeError(`event time is not a date: ${JSON.stringify(event.time)}`);
    const count = event.count ?? 1;

    if (event.pid > 0) {
      let spans = this.lastSpans;
      if (event.pid !== this.lastPid || event.host !== this.lastHost || !spans) {
        let pids = event.host === this.lastHost ? this.lastPids : this.sessions.get(event.host);
        if (!pids) this.sessions.set(event.host, (pids = new Map()));
        this.lastHost = event.host;
        this.lastPids = pids;
        spans = pids.get(event.pid);
        if (!spans) pids.set(event.pid, (spans = new SessionSpans()));
        this.lastPid = event.pid;
        this.lastSpans = spans;
      }
      spans.add(t);
    }

    const date = this.calendar.of(t);
    let day = this.lastDay;
    if (!day || this.lastDate !== date || this.lastDayHost !== event.host) {
      day = this.dayCounts(event.host, date);
      this.lastDay = day;
      this.lastDate = date;
      this.lastDayHost = event.host;
      this.lastSource = '';
    }
    if (event.kind === 'accepted') day.accepted += count;
    else if (event.kind === 'failed' && event.method !== 'none') day.failed += count;
    else if (event.kind === 'invalid_user') day.invalidUser += count;
    const source = event.sourceIp;
    if (source && !event.sourceInferred && source !== this.lastSource) {
      day.sources.add(source);
      this.lastSource = source;
    }
  }

  addAll(events: Iterable<SshStatsInput>): this {
    for (const e of events) this.add(e);
    return this;
  }

  /** One entry per host and day that has any event, sorted by host, then date. */
  days(): SshDayStats[] {
    const sessionsByDay = new Map<string, Map<string, number>>();
    for (const [host, pids] of this.sessions) {
      const perDay = new Map<string, number>();
      sessionsByDay.set(host, perDay);
      for (const spans of pids.values()) {
        for (const start of spans.starts()) {
          const date = this.calendar.of(start);
          perDay.set(date, (perDay.get(date) ?? 0) + 1);
          this.dayCounts(host, date); // a session start always lies on a day that has events
        }
      }
    }
    const out: SshDayStats[] = [];
    for (const host of [...this.days_.keys()].sort()) {
      const byDate = this.days_.get(host)!;
      for (const date of [...byDate.keys()].sort()) {
        const d = byDate.get(date)!;
        out.push({
          host,
          date,
          sessions: sessionsByDay.get(host)?.get(date) ?? 0,
          accepted: d.accepted,
          failed: d.failed,
          invalidUser: d.invalidUser,
          sources: d.sources.size,
        });
      }
    }
    return out;
  }

  private dayCounts(host: string, date: string): DayCounts {
    let byDate = this.days_.get(host);
    if (!byDate) this.days_.set(host, (byDate = new Map()));
    let d = byDate.get(date);
    if (!d) byDate.set(date, (d = { accepted: 0, failed: 0, invalidUser: 0, sources: new Set() }));
    return d;
  }
}
