import { Topics, type NotificationOutcome } from '@watchkeeper/contracts';
import type { EventProducer } from '@watchkeeper/kafka';
import type { Notification, Sender, SendResult } from '@watchkeeper/delivery-queue';

/** Each alert of the digest onto the notifications topic, with the alert attached, for downstream tools. */
export class KafkaSender implements Sender {
  readonly type = 'kafka';

  constructor(readonly name: string, private readonly producer: EventProducer) {}

  async send(batch: Notification[], ctx: { digestId: string }): Promise<SendResult> {
    const at = new Date().toISOString();
    const items = batch.map((n) => {
      const value: NotificationOutcome = {
        id: `${n.id}|notification`.slice(0, 200),
        alertId: n.alertId,
        fingerprint: n.fingerprint,
        recipient: this.name,
        outcome: 'delivered',
        attempt: 1,
        at,
        digestId: ctx.digestId,
        alert: {
          kind: n.kind,
          type: n.type,
          entity: n.entity,
          severity: n.severity,
          labels: n.labels,
          ...(n.summary ? { summary: n.summary } : {}),
          occurredAt: n.occurredAt,
          ...(n.durationMs !== undefined ? { durationMs: n.durationMs } : {}),
        },
      };
      return { value, opts: { id: value.id, subject: n.fingerprint } };
    });
    try {
      await this.producer.publishMany(Topics.notifications, items);
      return { ok: true };
    } catch (err) {
      return { ok: false, retryable: true, cause: `kafka: ${(err as Error).message}`.slice(0, 300) };
    }
  }
}
