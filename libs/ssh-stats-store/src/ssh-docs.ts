import type { SshEvent } from '@watchkeeper/contracts';
import type { AttemptCounts, DayState, PidDayState } from './ssh-day-state';

/**
 * Collections of the SSH store. FerretDB 1.x on SQLite scans the whole collection for every find,
 * update and delete, `_id` equality included (only an insert's duplicate check uses the index), so
 * every collection that is read or rewritten in steady state holds a bounded slice of time:
 *  - raw events per UTC day of their time, one bundle per batch (insert-only), dropped whole after the
 *    retention period;
 *  - day states per month of their date (rows: hosts × 31), kept;
 *  - PID days per month of their UTC date (rows: hosts × 31), dropped with the raw events;
 *  - one journal row per consumed partition, and one row per host.
 * On MongoDB the same layout costs nothing extra.
 */
export const SSH_COLLECTIONS = {
  raw: (utcDate: string) => `ssh_raw_${utcDate.replaceAll('-', '')}`,
  days: (date: string) => `ssh_days_${date.slice(0, 7).replace('-', '')}`,
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
/** Sets and maps as JSON text: FerretDB converts nested documents field by field (much slower than one string). */
export interface DayDoc {
  _id: string;
  host: string;
  date: string;
  accepted: number;
  failed: number;
  invalidUser: number;
  sessions: number;
  sources: number;
  sourceSet: string;
  attempts: string;
}

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
  pidDays: PidDayDoc[];
  hosts: Array<{ _id: string; firstAt: string; lastAt: string }>;
}

export function dayToDoc(d: DayState): DayDoc {
  return {
    _id: `${d.host}|${d.date}`,
    host: d.host,
    date: d.date,
    accepted: d.accepted,
    failed: d.failed,
    invalidUser: d.invalidUser,
    sessions: d.sessions,
    sources: d.sources.size,
    sourceSet: JSON.stringify([...d.sources]),
    attempts: JSON.stringify([...d.attempts].map(([ip, c]) => [ip, ...c])),
  };
}

export function dayFromDoc(doc: DayDoc): DayState {
  return {
    host: doc.host,
    date: doc.date,
    accepted: doc.accepted,
    failed: doc.failed,
    invalidUser: doc.invalidUser,
    sessions: doc.sessions,
    sources: new Set(JSON.parse(doc.sourceSet) as string[]),
    attempts: new Map((JSON.parse(doc.attempts) as Array<[string, ...AttemptCounts]>).map(([ip, ...c]) => [ip, c as AttemptCounts])),
  };
}

export function pidDayToDoc(id: string, p: PidDayState): PidDayDoc {
  const sep = id.lastIndexOf('|');
  return { _id: id, host: id.slice(0, sep), utcDate: id.slice(sep + 1), pids: JSON.stringify([...p].map(([pid, [min, max]]) => [pid, min, max])) };
}

export function pidDayFromDoc(doc: PidDayDoc): PidDayState {
  return new Map((JSON.parse(doc.pids) as Array<[number, number, number]>).map(([pid, min, max]) => [pid, [min, max]]));
}

export function rawBundle(id: string, p: number, events: Array<{ o: number; e: SshEvent }>): RawBundleDoc {
  const rows: RawEvent[] = events.map(({ e }) => [e.id, e.host, e.time, e.kind, e.pid, e.count, e.user ?? null, e.sourceIp ?? null, e.sourceInferred ? 1 : 0, e.method ?? null]);
  return { _id: id, p, o: Math.max(...events.map((x) => x.o)), events: JSON.stringify(rows) };
}

export function idsOfBundle(doc: Pick<RawBundleDoc, 'events'>): string[] {
  return (JSON.parse(doc.events) as RawEvent[]).map((r) => r[0]);
}
