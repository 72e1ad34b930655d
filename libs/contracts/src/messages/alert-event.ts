import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EventId, IsoDateTime, Labels, Severity } from '../common';

/** What the alert is about: a host, a listener, a source address… */
export const AlertEntity = z.object({
  kind: z.string().min(1).max(100),
  id: z.string().min(1).max(500),
});

const alertBase = {
  id: EventId,
  type: z.string().min(1).max(200),
  entity: AlertEntity,
  severity: Severity,
  labels: Labels.default({}),
  summary: z.string().max(2000).optional(),
  description: z.string().max(20000).optional(),
  /** The producing service or tool. */
  source: z.string().min(1).max(200),
  /** A group of alert types, as ntopng groups its alerts (e.g. `network`, `security`, `system`); optional. */
  category: z.string().min(1).max(100).optional(),
  occurredAt: IsoDateTime,
};

/**
 * ntopng's model: `store` is a stateless alert (notified once), `trigger` opens or refreshes a
 * stateful alert, `release` closes it.
 */
export const AlertEvent = z.discriminatedUnion('action', [
  z.object({ action: z.literal('store'), ...alertBase }),
  z.object({ action: z.literal('trigger'), ...alertBase }),
  z.object({ action: z.literal('release'), ...alertBase }),
]);
export type AlertEvent = z.infer<typeof AlertEvent>;
export type AlertAction = AlertEvent['action'];

/**
 * Identity of a stateful alert: type + entity + labels, order-independent. Also the Kafka key of the
 * alerts topic, so a trigger and its release land on one partition, in order.
 */
export function alertFingerprint(a: Pick<AlertEvent, 'type' | 'entity' | 'labels'>): string {
  const labels = Object.keys(a.labels ?? {})
    .sort()
    .map((k) => [k, (a.labels ?? {})[k]]);
  const canonical = JSON.stringify([a.type, a.entity.kind, a.entity.id, labels]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
