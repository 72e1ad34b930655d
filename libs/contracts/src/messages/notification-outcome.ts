import { z } from 'zod';
import { EventId, IsoDateTime } from '../common';

export const DeliveryOutcome = z.enum(['delivered', 'retried', 'dropped', 'dead_lettered', 'silenced']);
export type DeliveryOutcome = z.infer<typeof DeliveryOutcome>;

/** The fate of one alert at one recipient; the dispatcher's accounting is built from these. */
export const NotificationOutcome = z.object({
  id: EventId,
  alertId: EventId,
  fingerprint: z.string().min(1),
  recipient: z.string().min(1),
  outcome: DeliveryOutcome,
  /** Why it was dropped, retried or dead-lettered (e.g. queue-full, http-503). */
  cause: z.string().optional(),
  attempt: z.number().int().nonnegative(),
  at: IsoDateTime,
  latencyMs: z.number().nonnegative().optional(),
  /** Several alerts delivered in one digest share a digest id. */
  digestId: z.string().optional(),
  /** The alert itself, attached when the outcome is the notification (the Kafka recipient). */
  alert: z
    .object({
      kind: z.enum(['firing', 'resolved', 'stored']),
      type: z.string(),
      entity: z.object({ kind: z.string(), id: z.string() }),
      severity: z.string(),
      labels: z.record(z.string(), z.string()),
      summary: z.string().optional(),
      occurredAt: IsoDateTime,
      durationMs: z.number().nonnegative().optional(),
    })
    .optional(),
});
export type NotificationOutcome = z.infer<typeof NotificationOutcome>;
