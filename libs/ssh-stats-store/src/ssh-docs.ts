import type { SshEvent } from '@watchkeeper/contracts';
import type { DayDoc, DaySetDoc, PidDayDoc, RawBundleDoc, RawEvent } from '@watchkeeper/dal/receiver';
import type { AttemptCounts, DayDelta, DayState, PidDayState } from './ssh-day-state';

export function dayToDoc(d: DayState): DayDoc {
  return { _id: `${d.host}|${d.date}`, host: d.host, date: d.date, accepted: d.accepted, failed: d.failed, invalidUser: d.invalidUser, sessions: d.sessions, sources: d.sources.size };
}

export function daySetDoc(host: string, date: string, tag: string, delta: DayDelta): DaySetDoc {
  return { _id: `${host}|${date}|${tag}`, host, date, sources: JSON.stringify([...delta.sources]), attempts: JSON.stringify([...delta.attempts].map(([ip, c]) => [ip, ...c])) };
}

/** A day's state from its figures and every segment of it. */
export function dayFromDocs(doc: DayDoc, sets: DaySetDoc[]): DayState {
  const day: DayState = { host: doc.host, date: doc.date, accepted: doc.accepted, failed: doc.failed, invalidUser: doc.invalidUser, sessions: doc.sessions, sources: new Set(), attempts: new Map() };
  for (const s of sets) {
    for (const ip of JSON.parse(s.sources) as string[]) day.sources.add(ip);
    for (const [ip, f, a, i] of JSON.parse(s.attempts) as Array<[string, ...AttemptCounts]>) {
      const c = day.attempts.get(ip);
      if (c) {
        c[0] += f;
        c[1] += a;
        c[2] += i;
      } else day.attempts.set(ip, [f, a, i]);
    }
  }
  return day;
}

export function pidDaySegment(id: string, tag: string, p: PidDayState, pids: Iterable<number>): PidDayDoc {
  const sep = id.lastIndexOf('|');
  const rows: Array<[number, number, number]> = [];
  for (const pid of pids) {
    const span = p.get(pid);
    if (span) rows.push([pid, span[0], span[1]]);
  }
  return { _id: `${id}|${tag}`, host: id.slice(0, sep), utcDate: id.slice(sep + 1), pids: JSON.stringify(rows) };
}

/** Merges segments into `into` (first line the earliest, last line the latest seen in any segment). */
export function mergePidSegment(into: PidDayState, doc: PidDayDoc): void {
  for (const [pid, min, max] of JSON.parse(doc.pids) as Array<[number, number, number]>) {
    const span = into.get(pid);
    if (!span) into.set(pid, [min, max]);
    else {
      if (min < span[0]) span[0] = min;
      if (max > span[1]) span[1] = max;
    }
  }
}

export function rawBundle(id: string, p: number, events: Array<{ o: number; e: SshEvent }>): RawBundleDoc {
  const rows: RawEvent[] = events.map(({ e }) => [e.id, e.host, e.time, e.kind, e.pid, e.count, e.user ?? null, e.sourceIp ?? null, e.sourceInferred ? 1 : 0, e.method ?? null]);
  return { _id: id, p, o: Math.max(...events.map((x) => x.o)), events: JSON.stringify(rows) };
}

export function idsOfBundle(doc: Pick<RawBundleDoc, 'events'>): string[] {
  return (JSON.parse(doc.events) as RawEvent[]).map((r) => r[0]);
}
