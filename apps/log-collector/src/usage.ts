/** The bin's help text (its own module: the one-shot commands print it without loading the daemon's config). */
export const usage = `watchkeeper-log-collector — follows auth.log into sshd events on Kafka

Usage:
  watchkeeper-log-collector                 run the collector (configured by the environment below)
  watchkeeper-log-collector count --file <path|-> [--year Y] [--tz Z] [--host H] [--json]
      per-host, per-day SSH statistics of one log (plain or .gz; "-" = stdin):
      {"lines","sshd","unrecognized","days":[{"host","date","sessions","accepted","failed","invalidUser","sources"}]}
  watchkeeper-log-collector parse --file <path|-> [--year Y] [--tz Z] [--host H]
      one JSON sshd event per line, with the ids the collector would send
  watchkeeper-log-collector --help

  --year Y   year of the first "Mar 29 17:37:18" style stamp (default: inferred, never > 1 day ahead)
  --tz Z     IANA time zone of stamps without offset and of the statistics' days (default: the machine's)
  --host H   host for lines that name none, and in event ids (default: this machine's name)

Environment (collector):
  LOG_COLLECTOR_SOURCE       file | journald | auto (default auto: LOG_COLLECTOR_FILES when set, else /var/log/auth.log
                             or /var/log/secure where one exists, else the journal)
  LOG_COLLECTOR_FILES        comma-separated files to follow (default /var/log/auth.log, or /var/log/secure where that exists)
  LOG_COLLECTOR_JOURNAL_DIRECTORY    journald source: read the journal files in this directory (journalctl --directory)
  LOG_COLLECTOR_JOURNAL_FILES        journald source: read these journal files (journalctl --file, comma-separated)
                             (neither: the system journal)
  LOG_COLLECTOR_JOURNALCTL   journald source: the journalctl binary (default journalctl)
  LOG_COLLECTOR_JOURNAL_IDENTIFIERS  journald source: SYSLOG_IDENTIFIER/_COMM values to read (default sshd,sshd-session,sshd-auth)
  LOG_COLLECTOR_HOST         this host's name, for event ids and lines without one (default: hostname)
  LOG_COLLECTOR_TZ           IANA zone of stamps without offset (default: the machine's)
  LOG_COLLECTOR_POLL_MS      how often a file at its end is checked when no change event woke it (default 2000)
  LOG_COLLECTOR_BATCH_BYTES  bytes read per batch, published and checkpointed together (default 262144; two batches are in flight at once)
  LOG_COLLECTOR_KAFKA_ENCODER  Kafka produce path: fast (byte-identical to kafkajs 2.2.4's own, less CPU) or kafkajs (default fast)
  LOG_COLLECTOR_ENCODING_WORKER  parse and encode file lines in a worker thread beside the main one (a second core; with the fast path only; default true)
  LOG_COLLECTOR_PORT         HTTP port for /healthz, /readyz, /metrics (default 8083)
  KAFKA_BROKERS              comma-separated host:port list (default 127.0.0.1:9092)
  MONGO_URL                  checkpoints' MongoDB (default mongodb://127.0.0.1:27017)
  MONGO_DB                   database (default watchkeeper)
  LOG_LEVEL                  fatal|error|warn|info|debug|trace (default info)
`;
