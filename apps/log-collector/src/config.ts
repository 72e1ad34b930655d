import * as fs from 'node:fs';
import * as os from 'node:os';
import { z } from 'zod';
import { env } from '@watchkeeper/runtime';
import { machineTimeZone, safeHost } from '@watchkeeper/sshd-parser';

export { usage } from './usage';

function defaultFiles(): string[] {
  if (!fs.existsSync('/var/log/auth.log') && fs.existsSync('/var/log/secure')) return ['/var/log/secure'];
  return ['/var/log/auth.log'];
}

export const configSchema = z.object({
  LOG_COLLECTOR_FILES: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').map((f) => f.trim()).filter(Boolean) : defaultFiles()))
    .pipe(z.array(z.string().startsWith('/', 'each file must be an absolute path')).min(1)),
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
  LOG_COLLECTOR_POLL_MS: env.durationMs(250),
  LOG_COLLECTOR_BATCH_BYTES: z.coerce.number().int().min(4096).max(64 * 1024 * 1024).default(256 * 1024),
  LOG_COLLECTOR_PORT: env.port(8083),
  HTTP_HOST: env.host(),
  KAFKA_BROKERS: env.kafkaBrokers(),
  MONGO_URL: env.mongoUrl(),
  MONGO_DB: env.mongoDb('watchkeeper'),
  LOG_LEVEL: env.logLevel(),
});
export type Config = z.output<typeof configSchema>;
