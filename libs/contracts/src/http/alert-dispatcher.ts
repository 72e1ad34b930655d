import { z } from 'zod';
import { IsoDateTime, Labels, Severity } from '../common';
import { withCrossFieldRules } from '../cross-field';
import { AlertEntity } from '../messages/alert-event';
import { DeliveryOutcome } from '../messages/notification-outcome';

// HTTP bodies of the alert-dispatcher API (port 8082): silences, deliveries, alerts, accounting.

/** Alertmanager-style matcher on an alert's labels (plus alertname, type, severity, entity_kind, entity, source). */
export const SilenceMatcher = z
  .object({
    name: z.string().min(1).max(200),
    value: z.string().max(1024),
    isRegex: z.boolean().default(false),
    isEqual: z.boolean().default(true),
  })
  .refine((m) => !m.isRegex || compiles(m.value), { message: 'value is not a valid regular expression', path: ['value'] })
  // The same rule in JSON Schema: a regex matcher's value is an ECMA-262 regular expression.
  .meta({ if: { properties: { isRegex: { const: true } }, required: ['isRegex'] }, then: { properties: { value: { format: 'regex' } } } });

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
export type SilenceMatcher = z.infer<typeof SilenceMatcher>;

export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof Weekday>;
const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time of day is HH:MM (24 h)');

/** A recurring weekly window inside [startsAt, endsAt): e.g. every Sunday 02:00–04:00 Europe/Rome. */
export const WeeklyWindow = z.object({
  days: z.array(Weekday).min(1),
  start: ClockTime,
  end: ClockTime.describe('exclusive; an end before the start crosses midnight'),
  timeZone: z.enum(['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')]).default('UTC').describe('an IANA time zone'),
});
export type WeeklyWindow = z.infer<typeof WeeklyWindow>;
/** As stored and answered: silences created before time zones were checked may name any zone. */
const StoredWeeklyWindow = WeeklyWindow.extend({ timeZone: z.string() });

export const SilenceCreateRequest = withCrossFieldRules(
  z.object({
    matchers: z.array(SilenceMatcher).min(1, 'a silence needs at least one matcher'),
    startsAt: IsoDateTime.optional().describe('default: now'),
    endsAt: IsoDateTime,
    weekly: WeeklyWindow.optional(),
    createdBy: z.string().min(1).max(200),
    comment: z.string().min(1, 'say why').max(2000),
  }),
  [{ rule: 'order', lower: 'startsAt', upper: 'endsAt', strict: true, message: 'endsAt must be after startsAt' }],
);
export type SilenceCreateRequest = z.infer<typeof SilenceCreateRequest>;

export const SilenceExpireRequest = z.object({
  expiredBy: z.string().min(1).max(200),
  comment: z.string().max(2000).optional(),
});
export type SilenceExpireRequest = z.infer<typeof SilenceExpireRequest>;

export const Silence = z.object({
  id: z.string(),
  matchers: z.array(SilenceMatcher),
  startsAt: IsoDateTime,
  endsAt: IsoDateTime,
  weekly: StoredWeeklyWindow.optional(),
  createdBy: z.string(),
  comment: z.string(),
  createdAt: IsoDateTime,
  expiredBy: z.string().optional(),
  expireComment: z.string().optional(),
  status: z.enum(['pending', 'active', 'expired']),
});
export type Silence = z.infer<typeof Silence>;

export const SilenceList = z.object({ silences: z.array(Silence) });
export type SilenceList = z.infer<typeof SilenceList>;

/** What was sent: one alert at one recipient. */
export const NotificationKind = z.enum(['firing', 'resolved', 'stored']);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const DeliveryRecord = z.object({
  id: z.string(),
  alertId: z.string(),
  fingerprint: z.string(),
  recipient: z.string(),
  kind: NotificationKind,
  state: z.union([DeliveryOutcome, z.literal('queued')]),
  cause: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  receivedAt: IsoDateTime,
  at: IsoDateTime.optional(),
  latencyMs: z.number().nonnegative().optional(),
  digestId: z.string().optional(),
  type: z.string(),
  entity: AlertEntity,
  severity: Severity,
});
export type DeliveryRecord = z.infer<typeof DeliveryRecord>;

export const DeliveryList = z.object({ deliveries: z.array(DeliveryRecord) });
export type DeliveryList = z.infer<typeof DeliveryList>;

export const DeadLetterReplayRequest = z.object({
  recipient: z.string().optional(),
  ids: z.array(z.string()).max(10000).optional(),
  requestedBy: z.string().min(1).max(200),
});
export type DeadLetterReplayRequest = z.infer<typeof DeadLetterReplayRequest>;
export const DeadLetterReplayResponse = z.object({ replayed: z.number().int().nonnegative() });

export const ActiveAlert = z.object({
  fingerprint: z.string(),
  type: z.string(),
  entity: AlertEntity,
  labels: Labels,
  severity: Severity,
  summary: z.string().optional(),
  source: z.string(),
  category: z.string().optional(),
  startsAt: IsoDateTime,
  lastTriggeredAt: IsoDateTime,
  lastNotifiedAt: IsoDateTime,
  triggerCount: z.number().int().positive(),
});
export type ActiveAlert = z.infer<typeof ActiveAlert>;

export const AlertHistoryEntry = z.object({
  eventId: z.string(),
  alertId: z.string(),
  action: z.enum(['store', 'trigger', 'release']),
  fingerprint: z.string(),
  type: z.string(),
  entity: AlertEntity,
  labels: Labels,
  severity: Severity,
  summary: z.string().optional(),
  source: z.string(),
  category: z.string().optional(),
  occurredAt: IsoDateTime,
  receivedAt: IsoDateTime,
  notified: z.boolean(),
  reason: z.string().describe('why it was or was not notified: new, repeat, refresh, resolved, unknown-release, stateless'),
  durationMs: z.number().nonnegative().optional(),
  recipients: z.array(z.object({ recipient: z.string(), state: z.enum(['queued', 'dropped', 'silenced']), cause: z.string().optional() })),
});
export type AlertHistoryEntry = z.infer<typeof AlertHistoryEntry>;

/** Query strings of the alert-dispatcher's read routes (also what the dashboard proxy forwards). */
export const DispatcherLimit = z.coerce.number().int().min(1).max(9999).describe('most entries to return (at most 1000 are)');
export const SilencesQuery = z.object({ expired: z.enum(['true', 'false']).optional() }).strict();
export const AlertsQuery = z.object({ limit: DispatcherLimit.default(100) }).strict();
export const DeliveriesQuery = z
  .object({
    recipient: z.string().min(1).max(200).optional(),
    outcome: z
      .enum(['queued', 'delivered', 'dead_lettered'])
      .optional()
      .describe('dropped, silenced and retried notifications are in GET /v1/alerts (per alert) and /v1/accounting (counts)'),
    alertId: z.string().min(1).max(200).optional(),
    since: IsoDateTime.optional().describe('default: one hour ago'),
    limit: DispatcherLimit.default(100),
  })
  .strict();
export const AccountingQuery = withCrossFieldRules(
  z
    .object({
      from: IsoDateTime.optional().describe('default: one hour before `to`'),
      to: IsoDateTime.optional().describe('default: now, or one hour after `from` when `from` is not in the past'),
    })
    .strict(),
  [{ rule: 'order', lower: 'from', upper: 'to', strict: true, message: 'from must be before to' }],
);
export const SilenceIdParams = z.object({ id: z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/, 'a silence id') });

/** Alert history filters (GET /v1/alerts/history); the time range is bounded so a read stays cheap. */
export const ALERT_HISTORY_DEFAULT_HOURS = 24;
export const ALERT_HISTORY_MAX_DAYS = 7;
export const AlertHistoryCursor = z.string().regex(/^\d{1,15}-\d{1,6}-\d{1,19}$/, 'a cursor as returned in nextCursor');
export const AlertHistoryQuery = withCrossFieldRules(
  z
    .object({
      entity: z.string().min(1).max(500).optional().describe("the alert's entity id, exactly"),
      type: z.string().min(1).max(200).optional().describe('the alert type, exactly'),
      severity: Severity.optional(),
      category: z.string().min(1).max(100).optional(),
      action: z.enum(['trigger', 'release', 'store']).optional(),
      state: z.enum(['active', 'released']).optional().describe("the stateful alert's current state (store events have none)"),
      from: IsoDateTime.optional().describe(`received at or after; default: ${ALERT_HISTORY_DEFAULT_HOURS} h before \`to\``),
      to: IsoDateTime.optional().describe(`received before; default: now, or ${ALERT_HISTORY_DEFAULT_HOURS} h after \`from\` when only \`from\` is given`),
      cursor: AlertHistoryCursor.optional().describe('continue after the last page (send the same filters)'),
      limit: z.coerce.number().int().min(1).max(500).default(100).describe('most entries per page (default 100)'),
    })
    .strict(),
  [
    { rule: 'order', lower: 'from', upper: 'to', strict: true, message: 'from must be before to' },
    { rule: 'maxDurationDays', from: 'from', to: 'to', days: ALERT_HISTORY_MAX_DAYS, message: `at most ${ALERT_HISTORY_MAX_DAYS} days` },
  ],
);
export type AlertHistoryQuery = z.infer<typeof AlertHistoryQuery>;

export const AlertHistoryPageEntry = AlertHistoryEntry.extend({
  state: z.enum(['active', 'released']).optional().describe("the stateful alert's current state"),
});
export type AlertHistoryPageEntry = z.infer<typeof AlertHistoryPageEntry>;

export const AlertHistoryResponse = z.object({
  from: IsoDateTime,
  to: IsoDateTime,
  entries: z.array(AlertHistoryPageEntry).describe('newest first'),
  nextCursor: AlertHistoryCursor.nullable().describe('null when the range is exhausted; a page may hold fewer than `limit` entries and still have a cursor'),
});
export type AlertHistoryResponse = z.infer<typeof AlertHistoryResponse>;

export const AlertsResponse = z.object({ active: z.array(ActiveAlert), recent: z.array(AlertHistoryEntry) });
export type AlertsResponse = z.infer<typeof AlertsResponse>;

const OutcomeCounts = z.object({
  received: z.number().int().nonnegative(),
  delivered: z.number().int().nonnegative(),
  dropped: z.number().int().nonnegative(),
  deadLettered: z.number().int().nonnegative(),
  silenced: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
});

/** For alerts received in [from, to): received = delivered + dropped + deadLettered + silenced + queued. */
export const AccountingResponse = OutcomeCounts.extend({
  from: IsoDateTime,
  to: IsoDateTime,
  alerts: z.number().int().nonnegative().describe('alert events received (each fans out to 0..n recipients)'),
  balanced: z.boolean(),
  byRecipient: z.record(z.string(), OutcomeCounts.extend({ droppedByCause: z.record(z.string(), z.number().int().nonnegative()) })),
});
export type AccountingResponse = z.infer<typeof AccountingResponse>;

export const RecipientStatus = z.object({
  name: z.string(),
  type: z.string(),
  queued: z.number().int().nonnegative(),
  capacity: z.number().int().positive(),
  pausedUntil: IsoDateTime.optional(),
  droppedSinceStart: z.record(z.string(), z.number().int().nonnegative()).describe('by cause, this process'),
});
export const RecipientsResponse = z.object({ recipients: z.array(RecipientStatus) });
export type RecipientsResponse = z.infer<typeof RecipientsResponse>;

/** Published as JSON Schema files (see json-schemas.ts). */
export const alertDispatcherHttpContracts: Record<string, z.ZodType> = {
  'http.alert-dispatcher.silence-create-request': SilenceCreateRequest,
  'http.alert-dispatcher.silence-expire-request': SilenceExpireRequest,
  'http.alert-dispatcher.silence-list': SilenceList,
  'http.alert-dispatcher.delivery-list': DeliveryList,
  'http.alert-dispatcher.dead-letter-replay-request': DeadLetterReplayRequest,
  'http.alert-dispatcher.alerts-response': AlertsResponse,
  'http.alert-dispatcher.alert-history-response': AlertHistoryResponse,
  'http.alert-dispatcher.accounting-response': AccountingResponse,
  'http.alert-dispatcher.recipients-response': RecipientsResponse,
};
