import * as fs from 'node:fs';
import * as os from 'node:os';
import { z } from 'zod';
import { env } from '@watchkeeper/runtime';
import { SSHD_IDENTIFIERS } from '@watchkeeper/log-tailer';
import { machineTimeZone, safeHost } from '@watchkeeper/sshd-parser';

export { usage } from './usage';

/** The system's sshd log file, when there is one (Debian/Ubuntu, then RHEL). */
function systemAuthLog(): string | undefined {
  return ['/var/log/auth.log', '/var/log/secure'].find((f) => fs.existsSync(f));
}

const commaList = (s: string) => s.split(',').map((f) => f.trim()).filter(Boolean);

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
  /** `fast`: kafkajs' produce path with byte-identical faster parts (libs/kafka fast-produce: records, requests, grouping); `kafkajs`: kafkajs' own. */
  LOG_COLLECTOR_KAFKA_ENCODER: z.enum(['fast', 'kafkajs']).default('fast'),
  /**
   * Parse and encode file lines in a worker thread while the main thread reads, sends and checkpoints
   * (uses a second core; needs LOG_COLLECTOR_KAFKA_ENCODER=fast, else ignored). ≈ 1.5× the lines/s
   * of one thread for ≈ 20 MB more RSS (bench/results/log-collector.md).
   */
  LOG_COLLECTOR_ENCODING_WORKER: env.bool(true),
  LOG_COLLECTOR_PORT: env.port(8083),
  HTTP_HOST: env.host(),
  KAFKA_BROKERS: env.kafkaBrokers(),
  MONGO_URL: env.mongoUrl(),
  MONGO_DB: env.mongoDb('watchkeeper'),
  LOG_LEVEL: env.logLevel(),
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
