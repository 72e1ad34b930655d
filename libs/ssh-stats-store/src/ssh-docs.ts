import type { SshEvent } from '@watchkeeper/contracts';
import type { AttemptCounts, DayDelta, DayState, PidDayState } from './ssh-day-state';

/**
 * Collections of the SSH store. FerretDB 1.x on SQLite scans the whole collection for every find,
 * update and delete, `_id` equality included (only an insert's duplicate check uses the index), so
 * every collection that is read or rewritten in steady state holds a bounded slice of time:
 *  - raw events per UTC day of their time, one bundle per batch (insert-only), dropped whole after the
 *    retention period;
 *  - day figures per month of their date (rows: hosts × 31), kept; each batch's new addresses and
 *    attempts of a day as an insert-only segment beside them (per month), kept;
 *  - PID days per month of their UTC date as insert-only segments (each batch's changed PIDs),
 *    dropped with the raw events;
 *  - one journal row per consumed partition, and one row per host.
 * On MongoDB the same layout costs nothing extra.
 */
export const SSH_COLLECTIONS = {
  raw: (utcDate: string) => `ssh_raw_${utcDate.replaceAll('-', '')}`,
  days: (date: string) => `ssh_days_${date.slice(0, 7).replace('-', '')}`,
  daySets: (date: string) => `ssh_daysets_${date.slice(0, 7).replace('-', '')}`,
  pidDays: (utcDate: string) => `ssh_pids_${utcDate.slice(0, 7).replace('-', '')}`,
  journal: 'ssh_journal',
  hosts: 'ssh_hosts',
} as const;

/**
 * The new events of one batch on one UTC day, kept for the retention period only (addresses and user
 * names are personal data): one insert per batch, not per event (FerretDB costs ≈ 0.1 ms per
 * inserted document), and the ids seen before are known from the day's bundles.
 */
export interface RawBundleDoc {
  _id: string;
  /** Partition, and the largest offset of its events: a bundle is valid once the partition's journal covers `o`. */
  p: number;
  o: number;
  /** JSON text of RawEvent rows. */
  events: string;
}

/** [id, host, time (ISO), kind, pid, count, user, sourceIp, sourceInferred (1/0), method] */
export type RawEvent = [string, string, string, string, number, number, string | null, string | null, number, string | null];
/** A host's figures on one date (`_id: host|date`), rewritten by each batch that touches the day: small. */
export interface DayDoc {
  _id: string;
  host: string;
  date: string;
  accepted: number;
  failed: number;
  invalidUser: number;
  sessions: number;
  sources: number;
}

/**
 * What one batch added to a host's date (`_id: host|date|<partition>:<offset>`): the addresses first
 * seen (sets grow by union) and attempts per address (summed over segments). Insert-only, so a busy
 * host's thousands of addresses are not rewritten per batch. JSON text: FerretDB converts nested
 * documents field by field (much slower than one string).
 */
export interface DaySetDoc {
  _id: string;
  host: string;
  date: string;
  /** string[] */
  sources: string;
  /** [[address, failed, accepted, invalidUser], …] */
  attempts: string;
}

/** A batch's changed PIDs of a host's UTC day (`_id: host|utcDate|<partition>:<offset>`); merged by min/max. */
export interface PidDayDoc {
  _id: string;
  host: string;
  utcDate: string;
  /** [[pid, min, max], …] */
  pids: string;
}

export interface HostDoc {
  _id: string;
  firstAt: Date;
  lastAt: Date;
}

export interface JournalDoc {
  _id: string;
  /** Last offset of the batch whose writes these are. */
  through: number;
  /** Offsets of the events this batch applied for the first time (handed downstream again after a crash). */
  fresh: number[];
  /** JSON text of JournalWrites. */
  writes: string;
}

export interface JournalWrites {
  days: DayDoc[];
  daySets: DaySetDoc[];
  pidDays: PidDayDoc[];
  hosts: Array<{ _id: string; firstAt: string; lastAt: string }>;
}

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
