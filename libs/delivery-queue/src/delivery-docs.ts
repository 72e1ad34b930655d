import type { DeadLetterDoc as StoredDeadLetter, DigestLog, SettleRef } from '@watchkeeper/dal/alert-dispatcher';
import type { Notification } from './types';

export type { DigestLog, SegmentDoc, SettleRef } from '@watchkeeper/dal/alert-dispatcher';
/** A notification that exhausted its attempts (and fallback), kept whole so it can be replayed. */
export type DeadLetterDoc = StoredDeadLetter<Notification>;

/** One item of a sent digest, as kept in the delivery log. */
export interface DigestItem {
  id: string;
  alertId: string;
  fingerprint: string;
  kind: Notification['kind'];
  type: string;
  entity: Notification['entity'];
  severity: Notification['severity'];
  occurredAt: string;
  receivedAt: Date;
  attempts: number;
  generation: number;
  /** The recipient the route named (differs from the digest's recipient when a fallback took it). */
  routedTo: string;
}

export function digestItems(l: Pick<DigestLog, 'items'>): DigestItem[] {
  // Digests logged before the items became JSON text hold an array.
  const v = l.items as unknown;
  return typeof v === 'string' ? (JSON.parse(v) as DigestItem[]) : (v as DigestItem[]);
}

/** Groups items by their segment: the settle records of a digest, a fallback or a settle flush. */
export function refsOf(items: Array<{ segment?: string; index?: number }>): SettleRef[] {
  const by = new Map<string, number[]>();
  for (const i of items) {
    if (i.segment === undefined || i.index === undefined) continue;
    const list = by.get(i.segment) ?? [];
    list.push(i.index);
    by.set(i.segment, list);
  }
  return [...by].map(([seg, idx]) => ({ seg, idx }));
}
