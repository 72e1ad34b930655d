/**
 * Every collection name, by the service that owns it. A store takes its model from this lib; the
 * name here is the one place a collection is named. Dynamic names (per day, per month, per relay
 * instance) are functions.
 */
export const COLLECTIONS = {
  shared: {
    /** Kafka messages waiting to be published (the outbox relay of every service that writes one). */
    outbox: 'outbox',
  },
  receiver: {
    artifacts: 'artifacts',
    versionGate: 'version_gate',
    hostTokens: 'host_tokens',
    retiredHosts: 'retired_hosts',
    hostHealth: 'host_health',
    requestLog: 'request_log',
    requestHosts: 'request_hosts',
    /** Open fleet-health and brute-force alerts (active state only: see StatefulAlertDoc). */
    fleetAlerts: 'fleet_alerts',
    bruteForceAlerts: 'ssh_bruteforce_alerts',
    bruteForceWindows: 'ssh_brute_force_windows',
  },
  alertDispatcher: {
    silences: 'silences',
    alertStates: 'alert_states',
    /** Releases before the per-day collections kept all history in these three (read once by migrate-history). */
    alertHistory: 'alert_history',
    alertHistoryCounts: 'alert_history_counts',
    alertHistoryHours: 'alert_history_hours',
    alertConsumerProgress: 'alert_consumer_progress',
    deliverySegments: 'delivery_segments',
    /** Releases before the per-day collections kept the delivery log in this one (read once by migrate-history). */
    deliveryDigests: 'delivery_digests',
    deliveryDeadLetters: 'delivery_dead_letters',
  },
  logCollector: {
    fileCheckpoints: 'log_collector_checkpoints',
    journalCursors: 'log_collector_journal_cursors',
  },
  heartbeatServer: {
    listeners: 'heartbeat_listeners',
  },
} as const;

/**
 * Collections of the receiver's SSH store. FerretDB 1.x on SQLite scans the whole collection for every find,
 * update and delete, `_id` equality included (only an insert's duplicate check uses the index), so
 * every collection that is read or rewritten in steady state holds a bounded slice of time:
 *  - raw events per UTC day of their time, one bundle per batch (insert-only), dropped whole after the
 *    retention period;
 *  - day figures per month of their date (rows: hosts × 31), kept; each batch's new addresses and
 *    attempts of a day as an insert-only segment beside them (per month), kept;
 *  - PID days per month of their UTC date as insert-only segments (each batch's changed PIDs),
 *    dropped with the raw events;
 *  - one journal row per consumed partition, and one row per host.
 * On MongoDB the same layout costs nothing extra. No secondary index: every read is by `_id` or of a
 * whole bounded collection.
 */
export const SSH_COLLECTIONS = {
  raw: (utcDate: string) => `ssh_raw_${utcDate.replaceAll('-', '')}`,
  days: (date: string) => `ssh_days_${date.slice(0, 7).replace('-', '')}`,
  daySets: (date: string) => `ssh_daysets_${date.slice(0, 7).replace('-', '')}`,
  pidDays: (utcDate: string) => `ssh_pids_${utcDate.slice(0, 7).replace('-', '')}`,
  journal: 'ssh_journal',
  hosts: 'ssh_hosts',
  /** Every sshd event in one collection, as releases before the day-state store kept them (read once by the migration). */
  legacyEvents: 'ssh_events',
} as const;

/**
 * Per-UTC-day collections of the alert-dispatcher's history (`day` = `yyyymmdd`), for the same reason
 * as the SSH raw events: FerretDB 1.x scans a whole collection for every read, update and delete, so
 * recurring reads touch only the days they need, and retention drops whole days (no delete scans).
 *  - batches: one document per consumed batch, on the UTC day it was first received (the day is the
 *    end of its id: `<group>:<partition>:<offset>@<day>`), read by `_id` only;
 *  - counts: one small document per batch beside it (accounting, the newest batches);
 *  - hours: the batches holding alerts received in each UTC hour, on that hour's day (`_id` ranges);
 *  - digests: the delivery log, on the UTC day of the delivery.
 */
export const ALERT_DISPATCHER_DAY_COLLECTIONS = {
  batches: (day: string) => `alert_history_${day}`,
  counts: (day: string) => `alert_history_counts_${day}`,
  hours: (day: string) => `alert_history_hours_${day}`,
  digests: (day: string) => `delivery_digests_${day}`,
} as const;

export type AlertDispatcherDayKind = keyof typeof ALERT_DISPATCHER_DAY_COLLECTIONS;

/** The kind and day of a per-day collection of the alert-dispatcher, or undefined for any other name. */
export function alertDispatcherDayOf(name: string): { kind: AlertDispatcherDayKind; day: string } | undefined {
  const m = /^(alert_history|alert_history_counts|alert_history_hours|delivery_digests)_(\d{8})$/.exec(name);
  if (!m) return undefined;
  const kind = ({ alert_history: 'batches', alert_history_counts: 'counts', alert_history_hours: 'hours', delivery_digests: 'digests' } as const)[m[1] as 'alert_history'];
  return { kind, day: m[2] };
}

/** The UTC day (`yyyymmdd`) a history batch id names (`…@<day>`), or undefined for an id of a release before per-day collections. */
export function dayOfBucket(id: string): string | undefined {
  return /@(\d{8})$/.exec(id)?.[1];
}
