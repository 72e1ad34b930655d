import type { SshDayStats, SshEvent } from '@watchkeeper/contracts';
import { CalendarDay } from './calendar-day';
import { ipv4Key } from './ipv4-key';
import { PidSessions } from './pid-sessions';

/** The fields of an event the statistics use; `count` defaults to 1 as in the contract. */
export type SshStatsInput = Pick<SshEvent, 'host' | 'time' | 'kind' | 'pid'> &
  Partial<Pick<SshEvent, 'sourceIp' | 'sourceInferred' | 'method' | 'count'>> & {
    /** The address as ipv4Key(sourceIp), given in place of sourceIp by callers that have it already. */
    sourceV4?: number;
    /** The instant of `time` in ms, when the caller has it already (read from the event: no number is passed). */
    timeMs?: number;
  };

interface DayCounts {
  accepted: number;
  failed: number;
  invalidUser: number;
  /** Distinct addresses: canonical IPv4 as ipv4Key integers (cheap to hash), any other as text. */
  sources: Set<string>;
  sources4: Set<number>;
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
  private readonly sessions = new Map<string, PidSessions>();
  /** Logs are mostly one host, one day at a time: the last lookups are kept. */
  private lastHost = '';
  private lastPids: PidSessions | undefined;
  private lastDayHost = '';
  private lastDate = '';
  private lastDay: DayCounts | undefined;
  private lastSource = '';
  private lastSource4: number | undefined;

  constructor(opts: { timeZone?: string } = {}) {
    this.calendar = new CalendarDay(opts.timeZone ?? 'UTC');
  }

  get timeZone(): string {
    return this.calendar.timeZone;
  }

  /** `timeMs` may be passed when the caller has the instant already (saves parsing `time`). */
  add(event: SshStatsInput, timeMs?: number): void {
    const t = timeMs ?? event.timeMs ?? Date.parse(event.time);
    if (Number.isNaN(t)) throw new RangeError(`event time is not a date: ${JSON.stringify(event.time)}`);
    const count = event.count ?? 1;

    if (event.pid > 0) {
      let pids = this.lastPids;
      if (event.host !== this.lastHost || !pids) {
        pids = this.sessions.get(event.host);
        if (!pids) this.sessions.set(event.host, (pids = new PidSessions()));
        this.lastHost = event.host;
        this.lastPids = pids;
      }
      pids.add(event.pid, t);
    }

    const date = this.calendar.of(t);
    let day = this.lastDay;
    if (!day || this.lastDate !== date || this.lastDayHost !== event.host) {
      day = this.dayCounts(event.host, date);
      this.lastDay = day;
      this.lastDate = date;
      this.lastDayHost = event.host;
      this.lastSource = '';
      this.lastSource4 = undefined;
    }
    if (event.kind === 'accepted') day.accepted += count;
    else if (event.kind === 'failed' && event.method !== 'none') day.failed += count;
    else if (event.kind === 'invalid_user') day.invalidUser += count;
    if (event.sourceInferred) return;
    let v4 = event.sourceV4;
    const source = event.sourceIp;
    if (v4 === undefined && source && source !== this.lastSource) {
      v4 = ipv4Key(source);
      if (v4 === undefined) {
        day.sources.add(source);
        this.lastSource = source;
      }
    }
    if (v4 !== undefined && v4 !== this.lastSource4) {
      day.sources4.add(v4);
      this.lastSource4 = v4;
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
      for (const start of pids.starts_()) {
        const date = this.calendar.of(start);
        perDay.set(date, (perDay.get(date) ?? 0) + 1);
        this.dayCounts(host, date); // a session start always lies on a day that has events
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
          sources: d.sources.size + d.sources4.size,
        });
      }
    }
    return out;
  }

  private dayCounts(host: string, date: string): DayCounts {
    let byDate = this.days_.get(host);
    if (!byDate) this.days_.set(host, (byDate = new Map()));
    let d = byDate.get(date);
    if (!d) byDate.set(date, (d = { accepted: 0, failed: 0, invalidUser: 0, sources: new Set(), sources4: new Set() }));
    return d;
  }
}
