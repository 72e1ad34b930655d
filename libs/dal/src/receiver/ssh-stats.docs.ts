// The SSH store writes through the driver (collections per day and per month, named in
// `SSH_COLLECTIONS`): these are its documents. No secondary index on any of them (see SSH_COLLECTIONS).

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

/** An sshd event as releases before the day-state store kept it: all of them in one `ssh_events` collection. */
export interface LegacySshEventDoc {
  _id: string;
  host: string;
  time: Date;
  kind: string;
  pid: number;
  count: number;
  user?: string;
  sourceIp?: string;
  sourceInferred?: boolean;
  method?: string;
}
