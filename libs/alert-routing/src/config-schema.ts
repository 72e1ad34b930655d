import { z } from 'zod';
import { Severity } from '@watchkeeper/contracts';
import { parseDuration } from './duration';

/** A duration as text ("30s", "4h") or milliseconds. */
export const Duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (use e.g. 500ms, 30s, 5m, 4h)` });
    return z.NEVER;
  }
  return ms;
});

const Name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'names are letters, digits, "_", "." or "-"');

/** Queue, digest, rate and retry settings; every recipient has them, defaults from `defaults`. */
const DeliverySettings = z.object({
  /** Most notifications waiting for this recipient; beyond it new ones are dropped (cause queue-full). */
  capacity: z.number().int().positive().optional(),
  /** Most waiting notifications of one entity (cause source-quota) and of one alert type (cause type-quota). */
  perSourceQuota: z.number().int().positive().optional(),
  perTypeQuota: z.number().int().positive().optional(),
  /** Most alerts in one notification (a digest). */
  maxDigest: z.number().int().positive().optional(),
  /**
   * Most digests sent whose delivery is not yet recorded: the next digest goes out while the outcomes
   * of up to sendWindow-1 earlier ones are still being written. A crash re-sends at most this many
   * digests of this recipient (at-least-once); 1 = send, record, then the next send.
   */
  sendWindow: z.number().int().positive().max(64).optional(),
  /** At most `max` notifications per `per`; while waiting, alerts gather into digests. */
  rateLimit: z.object({ max: z.number().int().positive(), per: Duration }).strict().optional(),
  retry: z
    .object({ maxAttempts: z.number().int().positive().optional(), baseDelay: Duration.optional(), maxDelay: Duration.optional() })
    .strict()
    .optional(),
  timeout: Duration.optional(),
});

const common = { ...DeliverySettings.shape };

export const WebhookRecipientConfig = z
  .object({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }),
    /** `alertmanager` sends Alertmanager's webhook payload (version 4) so existing receivers work. */
    format: z.enum(['watchkeeper', 'alertmanager']).default('watchkeeper'),
    hmacSecret: z.string().min(16, 'an HMAC secret needs at least 16 characters').optional(),
    headers: z.record(z.string(), z.string()).optional(),
    ...common,
  })
  .strict();

export const EmailRecipientConfig = z
  .object({
    type: z.literal('email'),
    smtp: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(25),
        secure: z.boolean().default(false),
        requireTLS: z.boolean().default(false),
        auth: z.object({ user: z.string(), pass: z.string() }).strict().optional(),
      })
      .strict(),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
    subjectPrefix: z.string().default('[watchkeeper]'),
    ...common,
  })
  .strict();

export const XmppRecipientConfig = z
  .object({
    type: z.literal('xmpp'),
    service: z.string().regex(/^xmpps?:\/\//, 'service is xmpp://host:port'),
    domain: z.string().min(1),
    username: z.string().min(1),
    password: z.string().min(1),
    pubsubService: z.string().min(1).describe('e.g. pubsub.localhost'),
    node: z.string().min(1),
    ...common,
  })
  .strict();

export const KafkaRecipientConfig = z.object({ type: z.literal('kafka'), ...common }).strict();
export const StdoutRecipientConfig = z.object({ type: z.literal('stdout'), ...common }).strict();
export const SyslogRecipientConfig = z
  .object({
    type: z.literal('syslog'),
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).default(514),
    appName: z.string().default('watchkeeper'),
    facility: z.number().int().min(0).max(23).default(1),
    ...common,
  })
  .strict();

export const RecipientConfig = z.discriminatedUnion('type', [
  WebhookRecipientConfig,
  EmailRecipientConfig,
  XmppRecipientConfig,
  KafkaRecipientConfig,
  StdoutRecipientConfig,
  SyslogRecipientConfig,
]);
export type RecipientConfig = z.output<typeof RecipientConfig>;
export type RecipientType = RecipientConfig['type'];

export const PoolMatch = z
  .object({
    /** Matches the alert's `host_group` label. */
    hostGroups: z.array(z.string().min(1)).optional(),
    entityKinds: z.array(z.string().min(1)).optional(),
    types: z.array(z.string().min(1)).optional(),
    /** Every listed label must equal the value. */
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const PoolConfig = z
  .object({
    name: Name,
    match: PoolMatch.default({}),
    severities: z.array(Severity).min(1).default(['critical', 'warning', 'info']),
    recipients: z.array(Name).min(1),
    /** Takes a notification that a recipient of this pool dead-lettered. */
    fallback: Name.optional(),
    /** Stop looking at later pools when this one matched. */
    stop: z.boolean().default(false),
  })
  .strict();
export type PoolConfig = z.output<typeof PoolConfig>;

export const RoutingConfigSchema = z
  .object({
    /** A trigger for an alert already firing notifies again only after this long. */
    repeatInterval: Duration.default(4 * 3_600_000),
    defaults: DeliverySettings.strict().default({}),
    recipients: z.record(Name, RecipientConfig),
    pools: z.array(PoolConfig),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    cfg.pools.forEach((pool, i) => {
      pool.recipients.forEach((r, j) => {
        if (!cfg.recipients[r]) ctx.addIssue({ code: 'custom', path: ['pools', i, 'recipients', j], message: `unknown recipient "${r}"` });
      });
      if (pool.fallback && !cfg.recipients[pool.fallback]) {
        ctx.addIssue({ code: 'custom', path: ['pools', i, 'fallback'], message: `unknown recipient "${pool.fallback}"` });
      }
      if (pool.fallback && pool.recipients.includes(pool.fallback)) {
        ctx.addIssue({ code: 'custom', path: ['pools', i, 'fallback'], message: 'the fallback must not be one of the pool\'s own recipients' });
      }
    });
    const names = cfg.pools.map((p) => p.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: ['pools', i, 'name'], message: `duplicate pool name "${n}"` });
    });
  });

/** Delivery settings of one recipient with every default filled in. */
export interface ResolvedDelivery {
  capacity: number;
  perSourceQuota: number;
  perTypeQuota: number;
  maxDigest: number;
  sendWindow: number;
  rateLimit?: { max: number; perMs: number };
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export interface ResolvedRecipient {
  name: string;
  config: RecipientConfig;
  delivery: ResolvedDelivery;
}

export interface RoutingConfig {
  repeatIntervalMs: number;
  recipients: Map<string, ResolvedRecipient>;
  pools: PoolConfig[];
  /** Where it was read from, for logs. */
  origin: string;
}

export const BUILTIN_DEFAULTS = {
  capacity: 10_000,
  maxDigest: 100,
  sendWindow: 4,
  maxAttempts: 12,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  timeoutMs: 10_000,
};

export function resolveConfig(raw: z.output<typeof RoutingConfigSchema>, origin: string): RoutingConfig {
  const d = raw.defaults;
  const recipients = new Map<string, ResolvedRecipient>();
  for (const [name, config] of Object.entries(raw.recipients)) {
    const capacity = config.capacity ?? d.capacity ?? BUILTIN_DEFAULTS.capacity;
    const rate = config.rateLimit ?? d.rateLimit;
    recipients.set(name, {
      name,
      config,
      delivery: {
        capacity,
        // By default one entity may fill a tenth of the queue, one alert type a quarter, so a flood
        // leaves room for everyone else.
        perSourceQuota: config.perSourceQuota ?? d.perSourceQuota ?? Math.max(1, Math.floor(capacity / 10)),
        perTypeQuota: config.perTypeQuota ?? d.perTypeQuota ?? Math.max(1, Math.floor(capacity / 4)),
        maxDigest: config.maxDigest ?? d.maxDigest ?? BUILTIN_DEFAULTS.maxDigest,
        sendWindow: config.sendWindow ?? d.sendWindow ?? BUILTIN_DEFAULTS.sendWindow,
        rateLimit: rate ? { max: rate.max, perMs: rate.per } : undefined,
        maxAttempts: config.retry?.maxAttempts ?? d.retry?.maxAttempts ?? BUILTIN_DEFAULTS.maxAttempts,
        baseDelayMs: config.retry?.baseDelay ?? d.retry?.baseDelay ?? BUILTIN_DEFAULTS.baseDelayMs,
        maxDelayMs: config.retry?.maxDelay ?? d.retry?.maxDelay ?? BUILTIN_DEFAULTS.maxDelayMs,
        timeoutMs: config.timeout ?? d.timeout ?? BUILTIN_DEFAULTS.timeoutMs,
      },
    });
  }
  return { repeatIntervalMs: raw.repeatInterval, recipients, pools: raw.pools, origin };
}
