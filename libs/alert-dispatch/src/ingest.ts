import { alertFingerprint, type AlertEvent, type NotificationOutcome } from '@watchkeeper/contracts';
import type { ConsumedEvent } from '@watchkeeper/kafka';
import { findSilence, routeAlert, type RoutingConfig, type SilenceRule } from '@watchkeeper/alert-routing';
import { alreadyApplied, applyAlertEvent, type AlertHistoryStore, type AlertState, type AlertStateStore, type Decision, type FanoutEntry, type HistoryRecord } from '@watchkeeper/alert-state';
import { admit, emptyOccupancy, outcome, type DeliveryStore, type Notification, type QueueItem } from '@watchkeeper/delivery-queue';
import type { Mutex } from './mutex';

export interface IngestDeps {
  states: AlertStateStore;
  history: AlertHistoryStore;
  store: DeliveryStore;
  admission: Mutex;
  routing: () => RoutingConfig;
  silences: () => SilenceRule[];
  clock?: () => Date;
}

export interface IngestResult {
  /** Drops and silences decided at admission, to publish before the offsets are committed. */
  outcomes: NotificationOutcome[];
  recipientsWithWork: Set<string>;
  decisions: Array<{ action: AlertEvent['action']; reason: Decision['reason'] }>;
}

let seqCounter = 0;

export const itemId = (eventId: string, recipient: string) => `${eventId}|${recipient}`;
export const sourceOf = (e: Pick<AlertEvent, 'entity'>) => `${e.entity.kind}/${e.entity.id}`;

function notificationOf(rec: Pick<HistoryRecord, 'eventId' | 'fingerprint' | 'event' | 'decision' | 'receivedAt'>, recipient: string): Notification {
  const e = rec.event;
  const d = rec.decision;
  return {
    id: itemId(rec.eventId, recipient),
    alertId: e.id,
    fingerprint: rec.fingerprint,
    kind: d.kind,
    type: e.type,
    entity: e.entity,
    labels: e.labels ?? {},
    severity: e.severity,
    ...(e.summary ? { summary: e.summary } : {}),
    ...(e.description ? { description: e.description } : {}),
    source: e.source,
    occurredAt: e.occurredAt,
    ...(d.startsAt ? { startsAt: new Date(d.startsAt).toISOString() } : {}),
    ...(d.durationMs !== undefined ? { durationMs: d.durationMs } : {}),
    receivedAt: new Date(rec.receivedAt).toISOString(),
  };
}

function queueItem(rec: HistoryRecord, f: FanoutEntry, fairRank: number): QueueItem {
  return {
    _id: itemId(rec.eventId, f.recipient),
    recipient: f.recipient,
    ...(f.fallback ? { fallback: f.fallback } : {}),
    source: sourceOf(rec.event),
    type: rec.event.type,
    fairRank,
    seq: Date.now() * 1000 + (seqCounter++ % 1000),
    state: 'queued',
    attempts: 0,
    nextAttemptAt: new Date(rec.receivedAt),
    claimToken: null,
    generation: 0,
    receivedAt: new Date(rec.receivedAt),
    notification: notificationOf(rec, f.recipient),
  };
}

function admissionOutcomes(rec: HistoryRecord, at: Date): NotificationOutcome[] {
  return rec.fanout
    .filter((f) => f.state !== 'queued')
    .map((f) =>
      outcome({ _id: itemId(rec.eventId, f.recipient), recipient: f.recipient, notification: notificationOf(rec, f.recipient), generation: 0 }, f.state === 'dropped' ? 'dropped' : 'silenced', at, {
        cause: f.cause,
        attempt: 0,
      }),
    );
}

/**
 * One consumed batch of alert events → state, history, queues. Order of durable writes: history (with
 * the decision and where each recipient's copy went) → queue items → alert states. A redelivered event
 * is recognised by its history record (or by the state's applied offset) and replays the recorded
 * decision, so a crash anywhere neither loses nor doubles a notification.
 */
export async function ingestBatch(deps: IngestDeps, events: Array<ConsumedEvent<AlertEvent>>): Promise<IngestResult> {
  const now = deps.clock?.() ?? new Date();
  const cfg = deps.routing();
  const seen = new Set<string>();
  const batch = events.filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
  const fps = batch.map((e) => alertFingerprint(e.value));
  const states = await deps.states.load([...new Set(fps.filter((_, i) => batch[i].value.action !== 'store'))]);
  const dirty = new Map<string, AlertState>();
  const fresh: Array<{ rec: HistoryRecord }> = [];
  const replayIds: string[] = [];
  const decisions: IngestResult['decisions'] = [];

  batch.forEach((ev, i) => {
    const fp = fps[i];
    const e = ev.value;
    const st = states.get(fp);
    if (e.action !== 'store' && alreadyApplied(st, ev.partition, ev.offset)) {
      replayIds.push(ev.eventId);
      return;
    }
    const { state, decision } = applyAlertEvent(st, e, fp, now, cfg.repeatIntervalMs);
    if (state && state !== st) {
      state.applied = { partition: ev.partition, offset: ev.offset };
      states.set(fp, state);
      dirty.set(fp, state);
    }
    decisions.push({ action: e.action, reason: decision.reason });
    fresh.push({ rec: { eventId: ev.eventId, fingerprint: fp, event: e, receivedAt: now, decision, fanout: [], kafka: { partition: ev.partition, offset: ev.offset } } });
  });

  const outcomes: NotificationOutcome[] = [];
  const recipientsWithWork = new Set<string>();
  const silences = deps.silences();

  await deps.admission.run(async () => {
    const occupancy = await deps.store.occupancy();
    const items: QueueItem[] = [];
    const itemsOf = new Map<string, QueueItem[]>();
    for (const { rec } of fresh) {
      const mine: QueueItem[] = [];
      if (rec.decision.notify) {
        const targets = routeAlert(cfg, rec.event);
        const silence = targets.length ? findSilence(silences, rec.event, now) : undefined;
        for (const t of targets) {
          if (silence) {
            rec.fanout.push({ recipient: t.recipient, state: 'silenced', cause: `silence:${silence.id}` });
            continue;
          }
          const limits = cfg.recipients.get(t.recipient)!.delivery;
          let occ = occupancy.get(t.recipient);
          if (!occ) occupancy.set(t.recipient, (occ = emptyOccupancy()));
          const a = admit(occ, sourceOf(rec.event), rec.event.type, limits);
          if (!a.admitted) {
            rec.fanout.push({ recipient: t.recipient, state: 'dropped', cause: a.cause });
            continue;
          }
          const f: FanoutEntry = { recipient: t.recipient, state: 'queued', ...(t.fallback ? { fallback: t.fallback } : {}) };
          rec.fanout.push(f);
          mine.push(queueItem(rec, f, a.fairRank));
        }
      }
      itemsOf.set(rec.eventId, mine);
    }
    const duplicates = await deps.history.insertNew(fresh.map((f) => f.rec));
    for (const { rec } of fresh) {
      if (duplicates.has(rec.eventId)) {
        replayIds.push(rec.eventId);
        continue;
      }
      items.push(...itemsOf.get(rec.eventId)!);
      outcomes.push(...admissionOutcomes(rec, now));
    }
    await deps.store.enqueue(items);
    for (const it of items) recipientsWithWork.add(it.recipient);

    if (replayIds.length > 0) {
      // Redelivered events: queue what the recorded decision queued (unless already finished), republish its drops.
      const stored = await deps.history.find(replayIds);
      const again: QueueItem[] = [];
      for (const rec of stored.values()) {
        for (const f of rec.fanout) if (f.state === 'queued') again.push(queueItem(rec, f, 1));
        outcomes.push(...admissionOutcomes(rec, new Date(rec.receivedAt)));
      }
      await deps.store.enqueue(again, { skipFinished: true });
      for (const it of again) recipientsWithWork.add(it.recipient);
    }
  });

  await deps.states.saveMany([...dirty.values()]);
  return { outcomes, recipientsWithWork, decisions };
}
