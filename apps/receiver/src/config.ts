import { z } from 'zod';
import { IgnoreList } from '@watchkeeper/brute-force';
import { CommitHash } from '@watchkeeper/contracts';
import { env } from '@watchkeeper/runtime';

export const usage = `watchkeeper-receiver — the fleet's HTTP ingress and query API

Usage: watchkeeper-receiver [--help]
       watchkeeper-receiver migrate-ssh   one-shot: build the SSH statistics from the ssh_events collection of
                                          earlier releases (idempotent; run once after upgrading, safe to repeat)
       watchkeeper-receiver migrate-alert-state   one-shot: delete the released fleet-health and brute-force
                                          alerts earlier releases kept (idempotent; run once after upgrading)

Environment:
  WATCHKEEPER_ADMIN_TOKEN      admin bearer token, at least 16 characters (required)
  RECEIVER_PORT                HTTP port (default 8080); API under /v1, docs at /docs, /healthz, /readyz, /metrics
  HTTP_HOST                    listen address (default 0.0.0.0)
  MONGO_URL                    MongoDB URL (default mongodb://127.0.0.1:27017)
  RECEIVER_MONGO_DB            database name (default watchkeeper_receiver)
  KAFKA_BROKERS                comma-separated host:port list (default 127.0.0.1:9092)
  WATCHKEEPER_TOPIC_PREFIX     prefix of every Kafka topic and consumer group name, e.g. "staging." (default empty)
  RECEIVER_ARTIFACT_DIR        content-addressed artifact storage (default ./data/artifacts)
  RECEIVER_ARTIFACT_MAX_BYTES  largest accepted upload (default 104857600 = 100 MiB)
  RECEIVER_JSON_LIMIT          largest accepted JSON body (default 1mb)
  RECEIVER_ALLOWED_COMMITS     comma-separated 40-hex commits allowed to upload (empty: any well-formed commit)
  RECEIVER_UPDATE_HINT         text sent with 412 telling a host how to update
  RECEIVER_VERSION_GATE_CACHE_MS  how long the run-time version gate (PUT /v1/version-gate, in MongoDB) is used without reading it again (default 5000)
  RECEIVER_VERSION_GATE_GIT_DIR   follow this local git clone: its branch's newest commits become the version gate (unset: only PUT /v1/version-gate sets it)
  RECEIVER_VERSION_GATE_GIT_REF   the branch (or any ref) followed in that clone (default HEAD); the clone is read, never fetched
  RECEIVER_VERSION_GATE_WINDOW    how many of the branch's newest commits may upload when following a clone (default 10)
  RECEIVER_VERSION_GATE_GIT_INTERVAL_MS  how often the clone is read (default 60000)
  SSH_STATS_TZ                 IANA time zone of the dates in SSH statistics (default UTC; fixed per installation: stored days are not re-dated)
  SSH_RAW_RETENTION_DAYS       days raw sshd events (addresses, user names) are kept, by event time; statistics are kept (default 90)
  FLEET_CHECK_INTERVAL_MS      fleet-health run interval (default 300000 = 5 min)
  FLEET_WINDOW_MS              window for fatal-only and unstamped (default 3600000 = 1 h)
  FLEET_SILENT_AFTER_MS        quiet this long → silent (default 1800000 = 30 min)
  FLEET_LOOKBACK_MS            hosts quiet for longer are no longer judged (default 86400000 = 24 h); hosts whose only
                               receiver traffic is the daily self-check report need silent-after above a day and this above that
  BRUTE_FORCE_THRESHOLD        fail2ban's maxretry: this many failed SSH logins or more from one address … (default 5)
  BRUTE_FORCE_WINDOW_MS        … within this window of event time (fail2ban's findtime) is a brute-force alert, released after as long without one (default 600000 = 10 min)
  BRUTE_FORCE_IGNORE_IP        fail2ban's ignoreip: addresses and CIDR blocks (IPv4/IPv6, comma or space separated) never counted (default 127.0.0.1/8 ::1)
  BRUTE_FORCE_GROUP            Kafka consumer group for ssh-attempts, the brute-force detector (default watchkeeper-receiver-brute-force)
  RECEIVER_SSH_GROUP           Kafka consumer group for ssh-events (default watchkeeper-receiver-ssh-stats)
  RECEIVER_SSH_FROM_BEGINNING  a new group reads the topic from its start (default true; false: from now)
  RECEIVER_SSH_BATCH_SIZE      most ssh-events applied in one journal write (default 2000)
  RECEIVER_MAX_IN_FLIGHT       requests answered at once beyond which new ones get 503 + Retry-After (default 128; 0: no limit)
  RECEIVER_MAX_EVENT_LOOP_LAG_MS  event-loop lag beyond which new requests get 503 + Retry-After (default 200; 0: not checked)
  RECEIVER_MAX_QUEUE_MS        queue-time budget: a host-health write that would wait (or has waited) longer for the database gets 503 + Retry-After, nothing stored (default 50; 0: none)
  RECEIVER_MAX_OUTBOX_BACKLOG  most outbox entries waiting for Kafka: from this many on, a host-health write gets 503 + Retry-After (nothing stored) until fewer than 90 % wait; while Kafka is down too (default 10000; 0: no bound)
  RECEIVER_COMMIT_LINGER_MS    commit delay under load: host-health writes arriving right after a database write wait until the oldest is this old, so one write carries more: less CPU per request, more latency (default 0: none)
  RECEIVER_DB_TIMEOUT_MS       limit for each MongoDB operation; a stuck database gives 503 + Retry-After (default 5000)
  TOKEN_CACHE_MS               how long a verified host token is trusted without a database read (default 5000)
  HEARTBEAT_SERVER_URL         heartbeat-server read API the dashboard proxies (default http://127.0.0.1:8081)
  ALERT_DISPATCHER_URL         alert-dispatcher API the dashboard proxies (default http://127.0.0.1:8082)
  LOG_LEVEL                    fatal|error|warn|info|debug|trace|silent (default info)
`;

const commitList = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((c) => c.trim()).filter(Boolean))
  .pipe(z.array(CommitHash));

const timeZone = z
  .string()
  .default('UTC')
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone, e.g. Europe/Berlin');

export const configSchema = z.object({
  WATCHKEEPER_ADMIN_TOKEN: env.adminToken(),
  RECEIVER_PORT: env.port(8080),
  HTTP_HOST: env.host(),
  MONGO_URL: env.mongoUrl(),
  RECEIVER_MONGO_DB: env.mongoDb('watchkeeper_receiver'),
  KAFKA_BROKERS: env.kafkaBrokers(),
  WATCHKEEPER_TOPIC_PREFIX: env.topicPrefix(),
  RECEIVER_ARTIFACT_DIR: z.string().default('./data/artifacts'),
  RECEIVER_ARTIFACT_MAX_BYTES: z.coerce.number().int().positive().default(100 * 1024 * 1024),
  RECEIVER_JSON_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'a size like 512kb or 1mb').default('1mb'),
  RECEIVER_ALLOWED_COMMITS: commitList,
  RECEIVER_VERSION_GATE_CACHE_MS: z.coerce.number().int().nonnegative().default(5000),
  RECEIVER_VERSION_GATE_GIT_DIR: z.string().startsWith('/', 'must be an absolute path').optional(),
  RECEIVER_VERSION_GATE_GIT_REF: z.string().min(1).regex(/^[^-\s]\S*$/, 'a ref, not an option').default('HEAD'),
  RECEIVER_VERSION_GATE_WINDOW: z.coerce.number().int().min(1).max(1000).default(10),
  RECEIVER_VERSION_GATE_GIT_INTERVAL_MS: env.durationMs(60_000),
  RECEIVER_UPDATE_HINT: z.string().default('Update the Watchkeeper agent on this host to a released version and retry.'),
  SSH_STATS_TZ: timeZone,
  SSH_RAW_RETENTION_DAYS: z.coerce.number().int().positive().default(90),
  FLEET_CHECK_INTERVAL_MS: env.durationMs(5 * 60_000),
  FLEET_WINDOW_MS: env.durationMs(3600_000),
  FLEET_SILENT_AFTER_MS: env.durationMs(30 * 60_000),
  FLEET_LOOKBACK_MS: env.durationMs(24 * 3600_000),
  // fail2ban's semantics: ≥ maxretry (until this change it was "more than N", default 10).
  BRUTE_FORCE_THRESHOLD: z.coerce.number().int().positive().default(5),
  BRUTE_FORCE_WINDOW_MS: env.durationMs(10 * 60_000),
  BRUTE_FORCE_IGNORE_IP: z
    .string()
    .default('127.0.0.1/8 ::1')
    .superRefine((spec, ctx) => {
      for (const entry of spec.split(/[\s,]+/).filter(Boolean)) {
        const problem = IgnoreList.problem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }
    }),
  BRUTE_FORCE_GROUP: z.string().min(1).default('watchkeeper-receiver-brute-force'),
  RECEIVER_SSH_GROUP: z.string().min(1).default('watchkeeper-receiver-ssh-stats'),
  RECEIVER_SSH_FROM_BEGINNING: env.bool(true),
  RECEIVER_SSH_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(2000),
  RECEIVER_MAX_IN_FLIGHT: z.coerce.number().int().nonnegative().default(128),
  RECEIVER_MAX_EVENT_LOOP_LAG_MS: z.coerce.number().int().nonnegative().default(200),
  RECEIVER_MAX_QUEUE_MS: z.coerce.number().int().nonnegative().default(50),
  // Below the relay's in-memory limit (20,000): a relay further behind re-reads the store, far slower on FerretDB.
  RECEIVER_MAX_OUTBOX_BACKLOG: z.coerce.number().int().nonnegative().default(10_000),
  RECEIVER_COMMIT_LINGER_MS: z.coerce.number().int().nonnegative().default(0),
  RECEIVER_DB_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  TOKEN_CACHE_MS: z.coerce.number().int().nonnegative().default(5000),
  HEARTBEAT_SERVER_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8081'),
  ALERT_DISPATCHER_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8082'),
  LOG_LEVEL: env.logLevel(),
});
export type Config = z.output<typeof configSchema>;
