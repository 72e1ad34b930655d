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
    alertHistory: 'alert_history',
    alertHistoryCounts: 'alert_history_counts',
    alertHistoryHours: 'alert_history_hours',
    alertConsumerProgress: 'alert_consumer_progress',
    deliverySegments: 'delivery_segments',
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
