/** The bin's help text (its own module: the one-shot commands print it without loading the daemon's config). */
export const usage = `watchkeeper-log-collector — follows auth.log into sshd events on Kafka

Usage:
  watchkeeper-log-collector                 run the collector (configured by the environment below)
  watchkeeper-log-collector count --file <path|-> [--year Y] [--tz Z] [--host H] [--json]
      per-host, per-day SSH statistics of one log (plain or .gz; "-" = stdin):
      {"lines","sshd","unrecognized","days":[{"host","date","sessions","accepted","failed","invalidUser","sources"}]}
  watchkeeper-log-collector parse --file <path|-> [--year Y] [--tz Z] [--host H]
      one JSON sshd event per line, with the ids the collector would send
  watchkeeper-log-collector doctor [--once | --ping]
      this host's self-check reporter: disks, memory, load, clock against the receiver, failed systemd
      units, the collector's checkpoint age, the heartbeat client's last answer; PUT to the receiver's
      /v1/host-health/<host> with the host token. No option: on the schedule (DOCTOR_BOOT_DELAY_MS after
      boot, then every DOCTOR_INTERVAL_MS + up to DOCTOR_JITTER_MS) until SIGTERM; --once: one report
      now (the systemd timer's way; exit 0 stored, 1 receiver unreachable, 2 refused); --ping: checks
      token, path and clock at bring-up, stores nothing
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
  LOG_COLLECTOR_PORT         HTTP port for /healthz, /readyz, /metrics (default 8083)
  KAFKA_BROKERS              comma-separated host:port list (default 127.0.0.1:9092)
  WATCHKEEPER_TOPIC_PREFIX   prefix of every Kafka topic and consumer group name, e.g. "staging." (default empty)
  MONGO_URL                  checkpoints' MongoDB (default mongodb://127.0.0.1:27017)
  MONGO_DB                   database (default watchkeeper)
  LOG_LEVEL                  fatal|error|warn|info|debug|trace (default info)

Environment (doctor; also LOG_COLLECTOR_HOST, LOG_COLLECTOR_PORT, LOG_LEVEL):
  DOCTOR_RECEIVER_URL        the receiver, e.g. https://receiver.lab:8080 (required)
  DOCTOR_HOST_TOKEN          this host's token from POST /v1/hosts/<host>/tokens (required)
  DOCTOR_BOOT_DELAY_MS, DOCTOR_INTERVAL_MS, DOCTOR_JITTER_MS   schedule (default 600000, 86400000, 1800000)
  DOCTOR_DISK_PERCENT, DOCTOR_MEMORY_PERCENT, DOCTOR_LOAD_PER_CPU, DOCTOR_CLOCK_OFFSET_MS,
  DOCTOR_CHECKPOINT_AGE_MS, DOCTOR_HEARTBEAT_AGE_MS   thresholds as "warning,critical"
  DOCTOR_COLLECTOR_URL       the collector's ops endpoint (default http://127.0.0.1:LOG_COLLECTOR_PORT; off: not checked)
  DOCTOR_HEARTBEAT_CLIENT_URL  the heartbeat client's ops endpoint, e.g. http://127.0.0.1:8084 (unset: not checked)
`;
