import type { SshDayStats, SshEvent } from '@watchkeeper/contracts';

/** Attempts of one client address on one host and day: failed (method `none` excluded), accepted, invalid user. */
export type AttemptCounts = [failed: number, accepted: number, invalidUser: number];

/**
 * Everything kept for one host on one date (in the store's time zone): the figures of the day
 * statistics, the distinct stated addresses behind `sources`, and the attempts per address behind
 * the top-sources answer. Bounded by one day's traffic, never by history.
 */
export interface DayState {
  host: string;
  date: string;
  accepted: number;
  failed: number;
  invalidUser: number;
  sessions: number;
  sources: Set<string>;
  attempts: Map<string, AttemptCounts>;
}

/**
 * One host's sshd PIDs on one UTC day: the first and last time each was seen that day. Within a UTC
 * day consecutive lines of a PID are never more than 24 h apart, so a day's lines all lie in one
 * session span; which spans start a session then follows from these two times of neighbouring days
 * (see SessionBook).
 */
export type PidDayState = Map<number, [min: number, max: number]>;

export function emptyDay(host: string, date: string): DayState {
  return { host, date, accepted: 0, failed: 0, invalidUser: 0, sessions: 0, sources: new Set(), attempts: new Map() };
}

export function dayStats(d: DayState): SshDayStats {
  return { host: d.host, date: d.date, sessions: d.sessions, accepted: d.accepted, failed: d.failed, invalidUser: d.invalidUser, sources: d.sources.size };
}

export function cloneDay(d: DayState): DayState {
  return { ...d, sources: new Set(d.sources), attempts: new Map([...d.attempts].map(([ip, c]) => [ip, [...c] as AttemptCounts])) };
}

/** What one batch added to a day's address set and attempts (stored as a segment: sets grow by union, attempts by sum). */
export interface DayDelta {
  sources: Set<string>;
  attempts: Map<string, AttemptCounts>;
}

/** Adds one event's counters, stated address and attempt to its day (sessions are SessionBook's), and to `delta`. */
export function addToDay(day: DayState, e: Pick<SshEvent, 'kind' | 'method' | 'sourceIp' | 'sourceInferred' | 'count'>, delta?: DayDelta): void {
  const count = e.count ?? 1;
  const attempt = e.kind === 'accepted' || e.kind === 'failed' || e.kind === 'invalid_user';
  if (e.kind === 'accepted') day.accepted += count;
  else if (e.kind === 'failed' && e.method !== 'none') day.failed += count;
  else if (e.kind === 'invalid_user') day.invalidUser += count;
  if (!e.sourceIp) return;
  if (!e.sourceInferred && !day.sources.has(e.sourceIp)) {
    day.sources.add(e.sourceIp);
    delta?.sources.add(e.sourceIp);
  }
  // Top sources count attempts whatever the address's origin, method `none` excluded for every kind.
  if (attempt && e.method !== 'none') {
    const k = e.kind === 'failed' ? 0 : e.kind === 'accepted' ? 1 : 2;
    let c = day.attempts.get(e.sourceIp);
    if (!c) day.attempts.set(e.sourceIp, (c = [0, 0, 0]));
    c[k] += count;
    if (delta) {
      let d = delta.attempts.get(e.sourceIp);
      if (!d) delta.attempts.set(e.sourceIp, (d = [0, 0, 0]));
      d[k] += count;
    }
  }
}
