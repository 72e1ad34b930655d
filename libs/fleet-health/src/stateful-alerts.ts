import type { Connection, Model } from 'mongoose';
import { Topics, type AlertEvent, type Severity } from '@watchkeeper/contracts';
import { statefulAlertModel, type StatefulAlertDoc } from '@watchkeeper/dal/receiver';
import type { Outbox, OutboxEntry } from '@watchkeeper/outbox';

const hourBucket = (at: Date): number => Math.floor(at.getTime() / 3_600_000);

/**
 * One-shot upgrade step: deletes the released alerts earlier releases kept (`active: false`) in these
 * collections; every periodic run read them whole on FerretDB. Idempotent: a second run deletes nothing.
 */
export async function deleteReleasedAlerts(conn: Connection, collections: string[]): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const name of collections) deleted[name] = (await statefulAlertModel(conn, name).deleteMany({ active: { $ne: true } })).deletedCount ?? 0;
  return deleted;
}

/** One change a detector decided: open/refresh (`trigger`), close (`release`), or record only (`store`). */
export interface AlertChange {
  action: AlertEvent['action'];
  subject: string;
  symptom: string;
  /** When it happened (event time for stream detectors). */
  at: Date;
  /** Start of the episode the change belongs to. */
  since: Date;
  description?: string;
}

export interface AlertKind {
  /** AlertEvent.type, e.g. `host-silent`. */
  type: string;
  entityKind: 'host' | 'source';
  severity: Severity;
  summary: (subject: string) => string;
}

/**
 * Turns "which (subject, symptom) pairs hold now" into stateful alerts on the alerts topic: trigger
 * when a pair appears, again at most once per hour bucket while it lasts, release when it clears.
 * Events go through the outbox with ids derived from (subject, symptom, bucket), so a run repeated
 * after a crash produces the same events, never new ones. A release deletes the alert's document:
 * the collection holds open alerts only, whatever the history (every run reads it whole on FerretDB).
 */
export class StatefulAlerts {
  readonly model: Model<StatefulAlertDoc>;

  constructor(
    conn: Connection,
    private readonly opts: { outbox: Outbox; collection: string; source: string; kinds: Record<string, AlertKind> },
  ) {
    this.model = statefulAlertModel(conn, opts.collection);
  }

  async active(): Promise<StatefulAlertDoc[]> {
    return this.model.find({ active: true }).lean();
  }

  /**
   * `current`: every pair that holds now. `scope` limits releases to subjects this evaluation judged
   * (undefined: all); pairs outside it are left as they are.
   */
  async reconcile(current: Array<{ subject: string; symptom: string }>, now: Date, scope?: (subject: string, symptom: string) => boolean): Promise<{ triggered: number; released: number }> {
    const bucket = hourBucket(now);
    const open = new Map((await this.active()).map((s) => [s._id, s]));
    const events: OutboxEntry[] = [];
    const updates: Array<() => Promise<unknown>> = [];
    const seen = new Set<string>();
    for (const { subject, symptom } of current) {
      const id = `${subject}|${symptom}`;
      seen.add(id);
      const state = open.get(id);
      if (state && state.notifiedBucket === bucket) continue;
      const since = state?.since ?? now;
      events.push(this.event('trigger', subject, symptom, now, `${this.opts.source}:${id}:trigger:${bucket}`));
      updates.push(() =>
        this.model.updateOne({ _id: id }, { $set: { subject, symptom, active: true, since, notifiedBucket: bucket } }, { upsert: true }),
      );
    }
    for (const [id, state] of open) {
      if (seen.has(id) || (scope && !scope(state.subject, state.symptom))) continue;
      events.push(this.event('release', state.subject, state.symptom, now, `${this.opts.source}:${id}:release:${state.since.getTime()}`));
      updates.push(() => this.model.deleteOne({ _id: id }));
    }
    // Events first: if the state update is lost, the next run sends the same ids again (deduplicated).
    await this.opts.outbox.add(events);
    for (const u of updates) await u();
    const released = countReleases(events);
    return { triggered: events.length - released, released };
  }

  /**
   * For detectors that keep their own state (brute force on the stream): applies the changes they
   * decided, by `_id` only — no read of the other alerts. `since` names the episode, so a change
   * replayed after a crash has the same event id. `store` is a stateless alert: history, nothing open.
   */
  async apply(changes: AlertChange[]): Promise<void> {
    if (changes.length === 0) return;
    const events = changes.map((c) => {
      const id = `${c.subject}|${c.symptom}`;
      const tail = c.action === 'trigger' ? `${c.since.getTime()}:${hourBucket(c.at)}` : `${c.since.getTime()}`;
      return this.event(c.action, c.subject, c.symptom, c.at, `${this.opts.source}:${id}:${c.action}:${tail}`, c.description);
    });
    // Events first, as in reconcile(): a lost state update is repeated with the same ids.
    await this.opts.outbox.add(events);
    for (const c of changes) {
      const _id = `${c.subject}|${c.symptom}`;
      if (c.action === 'trigger') {
        await this.model.updateOne({ _id }, { $set: { subject: c.subject, symptom: c.symptom, active: true, since: c.since, notifiedBucket: hourBucket(c.at) } }, { upsert: true });
      } else if (c.action === 'release') {
        await this.model.deleteOne({ _id });
      }
    }
  }

  private event(action: AlertEvent['action'], subject: string, symptom: string, now: Date, id: string, description?: string): OutboxEntry {
    const kind = this.opts.kinds[symptom];
    if (!kind) throw new Error(`no alert kind for symptom ${symptom}`);
    const alert: AlertEvent = {
      id,
      action,
      type: kind.type,
      entity: { kind: kind.entityKind, id: subject },
      severity: kind.severity,
      labels: { symptom },
      summary: action === 'release' ? `cleared: ${kind.summary(subject)}` : kind.summary(subject),
      ...(description ? { description } : {}),
      source: this.opts.source,
      occurredAt: now.toISOString(),
    };
    return this.opts.outbox.entry(Topics.alerts, alert, { id, time: now, subject });
  }
}

function countReleases(events: OutboxEntry[]): number {
  return events.filter((e) => e._id.includes(':release:')).length;
}
