import type { DeliveryRecord } from '@watchkeeper/contracts';
import type { DeadLetterDoc, DigestItem, DigestLog } from './delivery-docs';
import type { Notification, QueueItem } from './types';

// Queue items, digest log entries and dead letters as GET /v1/deliveries records.

export function base(n: Pick<Notification, 'alertId' | 'fingerprint' | 'kind' | 'type' | 'entity' | 'severity'>) {
  return { alertId: n.alertId, fingerprint: n.fingerprint, kind: n.kind, type: n.type, entity: n.entity, severity: n.severity };
}

export function queueRecord(i: QueueItem): DeliveryRecord {
  return {
    id: i._id,
    ...base(i.notification),
    recipient: i.originalRecipient ?? i.recipient,
    state: 'queued',
    ...(i.lastCause ? { cause: i.lastCause } : {}),
    attempts: i.attempts,
    receivedAt: new Date(i.receivedAt).toISOString(),
  };
}

export function digestRecord(l: DigestLog, i: DigestItem): DeliveryRecord {
  return {
    id: i.id,
    ...base(i),
    recipient: i.routedTo,
    state: 'delivered',
    ...(i.routedTo !== l.recipient ? { cause: `via fallback ${l.recipient}` } : {}),
    attempts: i.attempts,
    receivedAt: new Date(i.receivedAt).toISOString(),
    at: new Date(l.at).toISOString(),
    latencyMs: Math.max(0, new Date(l.at).getTime() - Date.parse(i.occurredAt)),
    digestId: l._id,
  };
}

export function deadRecord(d: DeadLetterDoc): DeliveryRecord {
  return {
    id: d._id,
    ...base(d.notification),
    recipient: d.recipient,
    state: 'dead_lettered',
    cause: d.cause,
    attempts: d.attempts,
    receivedAt: new Date(d.receivedAt).toISOString(),
    at: new Date(d.at).toISOString(),
  };
}
