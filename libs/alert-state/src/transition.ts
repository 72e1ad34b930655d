import type { AlertEvent } from '@watchkeeper/contracts';

/** One stateful alert as kept in MongoDB (resolved ones stay as the record of their last episode). */
export interface AlertState {
  fingerprint: string;
  status: 'firing' | 'resolved';
  alertId: string;
  type: string;
  entity: { kind: string; id: string };
  labels: Record<string, string>;
  severity: AlertEvent['severity'];
  summary?: string;
  description?: string;
  source: string;
  category?: string;
  startsAt: Date;
  lastTriggeredAt: Date;
  lastNotifiedAt: Date;
  triggerCount: number;
  resolvedAt?: Date;
  durationMs?: number;
  /** Last Kafka position folded into this state: a redelivered event at or before it is not applied twice. */
  applied?: { partition: number; offset: string };
}

export type DecisionReason = 'stateless' | 'new' | 'repeat' | 'severity-changed' | 'refresh' | 'resolved' | 'unknown-release' | 'duplicate';

/** Whether an alert event causes a notification, and of which kind. */
export interface Decision {
  notify: boolean;
  kind: 'firing' | 'resolved' | 'stored';
  reason: DecisionReason;
  startsAt?: Date;
  durationMs?: number;
}

/**
 * ntopng's state machine. `store` notifies once; `trigger` opens an alert (notify) or refreshes a firing
 * one (silent until the repeat interval has passed, or when the severity changes); `release` closes a
 * firing alert with its duration (notify "resolved"), and a release for nothing firing is only recorded.
 * `now` is when the dispatcher received the event (kept in history so a replay decides the same).
 */
export function applyAlertEvent(
  state: AlertState | undefined,
  event: AlertEvent,
  fingerprint: string,
  now: Date,
  repeatIntervalMs: number,
): { state: AlertState | undefined; decision: Decision } {
  const occurredAt = new Date(event.occurredAt);
  if (event.action === 'store') return { state, decision: { notify: true, kind: 'stored', reason: 'stateless' } };

  if (event.action === 'trigger') {
    if (!state || state.status === 'resolved') {
      const next: AlertState = {
        fingerprint,
        status: 'firing',
        alertId: event.id,
        type: event.type,
        entity: event.entity,
        labels: event.labels ?? {},
        severity: event.severity,
        summary: event.summary,
        description: event.description,
        source: event.source,
        ...(event.category ? { category: event.category } : {}),
        startsAt: occurredAt,
        lastTriggeredAt: occurredAt,
        lastNotifiedAt: now,
        triggerCount: 1,
        applied: state?.applied,
      };
      return { state: next, decision: { notify: true, kind: 'firing', reason: 'new', startsAt: occurredAt } };
    }
    const severityChanged = state.severity !== event.severity;
    const due = now.getTime() - state.lastNotifiedAt.getTime() >= repeatIntervalMs;
    const notify = severityChanged || due;
    const next: AlertState = {
      ...state,
      severity: event.severity,
      summary: event.summary ?? state.summary,
      description: event.description ?? state.description,
      lastTriggeredAt: occurredAt > state.lastTriggeredAt ? occurredAt : state.lastTriggeredAt,
      lastNotifiedAt: notify ? now : state.lastNotifiedAt,
      triggerCount: state.triggerCount + 1,
    };
    return {
      state: next,
      decision: { notify, kind: 'firing', reason: severityChanged ? 'severity-changed' : due ? 'repeat' : 'refresh', startsAt: state.startsAt },
    };
  }

  // release
  if (!state || state.status !== 'firing') return { state, decision: { notify: false, kind: 'resolved', reason: 'unknown-release' } };
  const durationMs = Math.max(0, occurredAt.getTime() - state.startsAt.getTime());
  const next: AlertState = { ...state, status: 'resolved', resolvedAt: occurredAt, durationMs };
  return { state: next, decision: { notify: true, kind: 'resolved', reason: 'resolved', startsAt: state.startsAt, durationMs } };
}

/** Has this Kafka position already been folded into the state? */
export function alreadyApplied(state: AlertState | undefined, partition: number, offset: string): boolean {
  const a = state?.applied;
  return !!a && a.partition === partition && BigInt(a.offset) >= BigInt(offset);
}
