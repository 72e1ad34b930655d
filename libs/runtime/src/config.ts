import { z } from 'zod';
import { topicPrefixProblem } from '@watchkeeper/contracts';

import { ConfigError } from './config-error';

/** A configuration problem found at start: names every bad or missing variable. */
export { ConfigError };

/**
 * The one place a service reads its environment. The schema's keys are the variable names, so an
 * error names exactly the variable to fix.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    input[key] = v === '' ? undefined : v;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}${input[String(i.path[0])] === undefined ? ' (not set)' : ''}`),
    );
  }
  return result.data;
}

/** Variable fragments shared by the services; each service spreads the ones it uses into its schema. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  host: () => z.string().default('0.0.0.0'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  kafkaBrokers: () =>
    z
      .string()
      .default('127.0.0.1:9092')
      .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker is host:port')).min(1)),
  /** WATCHKEEPER_TOPIC_PREFIX: validated and documented here; the names themselves come from libs/contracts (Topics). */
  topicPrefix: () =>
    z
      .string()
      .default('')
      .superRefine((prefix, ctx) => {
        const problem = topicPrefixProblem(prefix);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
  mongoUrl: () => z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb://').default('mongodb://127.0.0.1:27017'),
  mongoDb: (fallback: string) => z.string().regex(/^[A-Za-z0-9_-]+$/).default(fallback),
  durationMs: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  adminToken: () => z.string().min(16, 'WATCHKEEPER_ADMIN_TOKEN must be at least 16 characters'),
};
