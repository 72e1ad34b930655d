import * as fs from 'node:fs';
import * as os from 'node:os';
import { z } from 'zod';
import { env } from '@watchkeeper/runtime';
import { SSHD_IDENTIFIERS } from '@watchkeeper/log-tailer';
import { machineTimeZone, safeHost } from '@watchkeeper/sshd-parser';
import { defaultSchedule, defaultThresholds, type Limits } from '@watchkeeper/host-doctor';

export { usage } from './usage';

/** The system's sshd log file, when there is one (Debian/Ubuntu, then RHEL). */
function systemAuthLog(): string | undefined {
  return ['/var/log/auth.log', '/var/log/secure'].find((f) => fs.existsSync(f));
}

const commaList = (s: string) => s.split(',').map((f) => f.trim()).filter(Boolean);

/** `warning,critical` (numbers, warning ≤ critical) → Limits. */
const limits = (fallback: Limits) =>
  z
    .string()
    .default(`${fallback.warning},${fallback.critical}`)
    .transform((s, ctx) => {
      const [warning, critical] = s.split(',').map((x) => Number(x.trim()));
      if (commaList(s).length !== 2 || !Number.isFinite(warning) || !Number.isFinite(critical) || warning! > critical!) {
        ctx.addIssue({ code: 'custom', message: 'two numbers, warning,critical, with warning ≤ critical' });
        return z.NEVER;
      }
      return { warning: warning!, critical: critical! } satisfies Limits;
    });

export const configSchema = z.object({
  LOG_COLLECTOR_FILES: z
    .string()
    .optional()
    .transform((s) => (s ? commaList(s) : undefined))
    .pipe(z.array(z.string().startsWith('/', 'each file must be an absolute path')).min(1).optional()),
  LOG_COLLECTOR_SOURCE: z.enum(['auto', 'file', 'journald']).default('auto'),
  LOG_COLLECTOR_JOURNAL_DIRECTORY: z.string().startsWith('/', 'must be an absolute path').optional(),
  LOG_COLLECTOR_JOURNAL_FILES: z
    .string()
    .optional()
    .transform((s) => (s ? commaList(s) : undefined))
    .pipe(z.array(z.string().startsWith('/', 'each file must be an absolute path')).min(1).optional()),
  LOG_COLLECTOR_JOURNALCTL: z.string().min(1).default('journalctl'),
  LOG_COLLECTOR_JOURNAL_IDENTIFIERS: z
    .string()
    .default(SSHD_IDENTIFIERS.join(','))
    .transform(commaList)
    .pipe(z.array(z.string().regex(/^[^=\s+]+$/, 'an identifier has no "=", "+" or spaces')).min(1)),
  LOG_COLLECTOR_HOST: z
    .string()
    .default(os.hostname().split('.')[0])
    .transform((h, ctx) => {
      const safe = safeHost(h);
      if (!safe) ctx.addIssue({ code: 'custom', message: 'not usable as a host name' });
      return safe ?? h;
    }),
  LOG_COLLECTOR_TZ: z
    .string()
    .default(machineTimeZone())
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'unknown IANA time zone'),
  LOG_COLLECTOR_POLL_MS: env.durationMs(2000),
  LOG_COLLECTOR_BATCH_BYTES: z.coerce.number().int().min(4096).max(64 * 1024 * 1024).default(256 * 1024),
  LOG_COLLECTOR_PORT: env.port(8083),
  HTTP_HOST: env.host(),
  KAFKA_BROKERS: env.kafkaBrokers(),
  WATCHKEEPER_TOPIC_PREFIX: env.topicPrefix(),
  MONGO_URL: env.mongoUrl(),
  MONGO_DB: env.mongoDb('watchkeeper'),
  LOG_LEVEL: env.logLevel(),
  // `doctor`: the host's self-check reporter (same unit as the collector; see usage.ts).
  DOCTOR_RECEIVER_URL: z.url({ protocol: /^https?$/ }).optional().describe('doctor: the receiver the reports go to, e.g. https://receiver.lab:8080 (required by `doctor`)'),
  DOCTOR_HOST_TOKEN: z.string().min(16).optional().describe("doctor: this host's token (POST /v1/hosts/{host}/tokens); required by `doctor`"),
  DOCTOR_HOST_TOKEN_PATH: z.string().startsWith('/', 'must be an absolute path').optional().describe("doctor: a file holding this host's token (instead of DOCTOR_HOST_TOKEN; e.g. a node's hostPath file in Kubernetes)"),
  DOCTOR_BOOT_DELAY_MS: z.coerce.number().int().nonnegative().default(defaultSchedule.bootDelayMs).describe('doctor: first run this long after the host booted (uptime); at once on a host up for longer'),
  DOCTOR_INTERVAL_MS: env.durationMs(defaultSchedule.intervalMs).describe('doctor: time between runs'),
  DOCTOR_JITTER_MS: z.coerce.number().int().nonnegative().default(defaultSchedule.jitterMs).describe('doctor: up to this much is added to each interval, at random'),
  DOCTOR_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5).describe('doctor: attempts per receiver call (network errors, 408, 429, 5xx are retried with exponential backoff)'),
  DOCTOR_RETRY_MAX_MS: env.durationMs(60_000).describe('doctor: longest wait between two attempts'),
  DOCTOR_MOUNTS: z.string().optional().transform((s) => (s ? commaList(s) : undefined)).describe('doctor: mount points to check (default: every data filesystem in /proc/mounts)'),
  DOCTOR_COLLECTOR_URL: z.string().optional().describe("doctor: the log collector's ops endpoint (default http://127.0.0.1:LOG_COLLECTOR_PORT; `off`: not checked)"),
  DOCTOR_HEARTBEAT_CLIENT_URL: z.string().optional().describe("doctor: the heartbeat client's ops endpoint, e.g. http://127.0.0.1:8084 (unset: not checked)"),
  DOCTOR_DISK_PERCENT: limits(defaultThresholds.diskPercent).describe('doctor: used space of a mount, percent: warning,critical'),
  DOCTOR_MEMORY_PERCENT: limits(defaultThresholds.memoryPercent).describe('doctor: used memory, percent: warning,critical'),
  DOCTOR_LOAD_PER_CPU: limits(defaultThresholds.loadPerCpu).describe('doctor: 5-minute load average per CPU: warning,critical'),
  DOCTOR_CLOCK_OFFSET_MS: limits(defaultThresholds.clockOffsetMs).describe("doctor: clock offset against the receiver's beyond half the round trip, ms: warning,critical"),
  DOCTOR_CHECKPOINT_AGE_MS: limits(defaultThresholds.checkpointAgeMs).describe("doctor: age of the collector's last checkpoint while its file has unread bytes, ms: warning,critical"),
  DOCTOR_HEARTBEAT_AGE_MS: limits(defaultThresholds.heartbeatAnswerAgeMs).describe("doctor: age of the heartbeat client's last answer, ms: warning,critical"),
  DOCTOR_FAILED_UNITS: z.enum(['warning', 'critical']).default(defaultThresholds.failedUnits).describe('doctor: status of a host with failed systemd units'),
});
export type Config = z.output<typeof configSchema>;

/** What this host's collector reads: log files, or the journal where there is no auth.log. */
export type SourcePlan = { type: 'file'; files: string[] } | { type: 'journald' };

/**
 * `auto`: the files named in LOG_COLLECTOR_FILES, else /var/log/auth.log or /var/log/secure where one
 * exists, else the journal (journald-only hosts).
 */
export function planSources(config: Config, authLog: () => string | undefined = systemAuthLog): SourcePlan {
  if (config.LOG_COLLECTOR_SOURCE === 'journald') return { type: 'journald' };
  if (config.LOG_COLLECTOR_FILES) return { type: 'file', files: config.LOG_COLLECTOR_FILES };
  const found = authLog();
  if (config.LOG_COLLECTOR_SOURCE === 'file' || found) return { type: 'file', files: [found ?? '/var/log/auth.log'] };
  return { type: 'journald' };
}
