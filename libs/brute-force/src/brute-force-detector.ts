import type { Connection, Model } from 'mongoose';
import type { SshAttempt } from '@watchkeeper/contracts';
import { COLLECTIONS } from '@watchkeeper/dal';
import { windowSnapshotModel, type WindowSnapshotDoc } from '@watchkeeper/dal/receiver';
import { StatefulAlerts, type AlertChange, type AlertKind } from '@watchkeeper/fleet-health';
import type { ConsumedEvent } from '@watchkeeper/kafka';
import type { Outbox } from '@watchkeeper/outbox';
import { prom, type Logger, type Registry } from '@watchkeeper/runtime';
import type { IgnoreList } from './ignore-list';
import { PartitionWindows, type WindowChange } from './sliding-windows';
import { fromSnapshot, toSnapshot } from './window-snapshot';

export interface BruteForceOptions {
  conn: Connection;
  outbox: Outbox;
  logger: Logger;
  registry?: Registry;
  /** fail2ban's maxretry: this many attempts (or more) within findtime is an attack. */
  maxRetry: number;
  /** fail2ban's findtime, in event time; also the quiet time that releases an alert. */
  findTimeMs: number;
  ignore: IgnoreList;
  /** The consumer group of the attempts topic: snapshots are kept per group and partition. */
  groupId: string;
  now?: () => Date;
  source?: string;
}

const SYMPTOM = 'brute-force';
const kind: AlertKind = {
  type: 'ssh-brute-force',
  entityKind: 'source',
  severity: 'warning',
  summary: (ip) => `brute-force SSH login attempts from ${ip}`,
};

interface PartitionState {
  windows: PartitionWindows;
  /** Last offset applied (from the snapshot after a restart). */
  offset?: string;
}

/**
 * Brute-force detection on the attempts topic (keyed by source address): a sliding window per address
 * in memory per partition (PartitionWindows), stateful alerts through the outbox, and a snapshot per
 * partition written after every chunk, before the consumer commits its offsets. So a restart reads one
 * document per partition and replays only the offsets after it; nothing scans stored history.
 */
export class BruteForceDetector {
  readonly alerts: StatefulAlerts;
  readonly snapshots: Model<WindowSnapshotDoc>;
  private readonly partitions = new Map<number, PartitionState>();
  private readonly locks = new Map<number, Promise<unknown>>();
  private readonly now: () => Date;
  private readonly attemptsSeen?: prom.Counter<'outcome'>;
  private readonly alertChanges?: prom.Counter<'action'>;

  constructor(private readonly opts: BruteForceOptions) {
    this.now = opts.now ?? (() => new Date());
    this.alerts = new StatefulAlerts(opts.conn, { outbox: opts.outbox, collection: COLLECTIONS.receiver.bruteForceAlerts, source: opts.source ?? 'receiver', kinds: { [SYMPTOM]: kind } });
    this.snapshots = windowSnapshotModel(opts.conn);
    const r = opts.registry;
    if (r) {
      this.attemptsSeen = counter(r, 'watchkeeper_brute_force_attempts_total', 'SSH attempts read by brute-force detection, by outcome (counted, duplicate, late, ignored)', ['outcome']);
      this.alertChanges = counter(r, 'watchkeeper_brute_force_alerts_total', 'Brute-force alert changes (trigger, release, store)', ['action']);
      const partitions = this.partitions;
      gauge(r, 'watchkeeper_brute_force_active_alerts', 'Open brute-force alerts held by this instance', function () {
        this.set([...partitions.values()].reduce((n, p) => n + p.windows.liveCount, 0));
      });
      gauge(r, 'watchkeeper_brute_force_sources', 'Source addresses in the brute-force windows of this instance', function () {
        this.set([...partitions.values()].reduce((n, p) => n + p.windows.sources.size, 0));
      });
      const now = this.now;
      gauge(r, 'watchkeeper_brute_force_event_time_lag_seconds', 'Wall clock minus the newest attempt time seen, oldest partition of this instance (how far behind detection is)', function () {
        const marks = [...partitions.values()].map((p) => p.windows.watermark).filter((w) => w > 0);
        this.set(marks.length ? Math.max(0, (now().getTime() - Math.min(...marks)) / 1000) : 0);
      });
    }
  }

  /**
   * Before the consumer starts: when this group has no snapshot at all (the first start after the
   * upgrade from the detector that re-read stored events, or a new group), alerts left open in the
   * collection belong to no window and nothing would ever release them: they are released now.
   * One read of the open alerts, at start only.
   */
  async releaseLeftovers(now: Date = this.now()): Promise<number> {
    const prefix = `${this.opts.groupId}/`;
    const anySnapshot = await this.snapshots.exists({ _id: { $gte: prefix, $lt: `${prefix}\uffff` } });
    if (anySnapshot) return 0;
    const open = await this.alerts.active();
    await this.alerts.apply(open.map((a): AlertChange => ({ action: 'release', subject: a.subject, symptom: a.symptom, at: now, since: a.since })));
    if (open.length) this.opts.logger.info({ sources: open.map((a) => a.subject) }, 'released brute-force alerts no window holds (left by an earlier detector)');
    if (open.length) this.alertChanges?.inc({ action: 'release' }, open.length);
    return open.length;
  }

  /** Batch handler of the attempts consumer: applies, alerts, snapshots; throws to be retried. */
  readonly handle = async (events: Array<ConsumedEvent<SshAttempt>>): Promise<void> => {
    const byPartition = new Map<number, Array<ConsumedEvent<SshAttempt>>>();
    for (const e of events) {
      const list = byPartition.get(e.partition);
      if (list) list.push(e);
      else byPartition.set(e.partition, [e]);
    }
    for (const [partition, list] of byPartition) await this.withPartition(partition, true, (state) => this.apply(state, list));
  };

  /** The partitions now assigned to this member: the state of the others is dropped (their new owner reads the snapshot). */
  assigned(partitions: number[]): void {
    const keep = new Set(partitions);
    for (const p of [...this.partitions.keys()]) if (!keep.has(p)) this.partitions.delete(p);
  }

  /** Wall-clock release of open alerts quiet for findtime (the stream may have gone silent). Visits open alerts only. */
  async sweep(now: Date = this.now()): Promise<number> {
    let released = 0;
    for (const partition of [...this.partitions.keys()]) {
      await this.withPartition(partition, false, async (state) => {
        const changes = state.windows.sweep(now.getTime());
        if (changes.length === 0 || state.offset === undefined) return;
        await this.emit(changes);
        await this.save(partition, state);
        released += changes.length;
      });
    }
    return released;
  }

  private async apply(state: PartitionState, events: Array<ConsumedEvent<SshAttempt>>): Promise<void> {
    const now = this.now().getTime();
    const changes: WindowChange[] = [];
    const seen = { counted: 0, duplicate: 0, late: 0, ignored: 0 };
    for (const e of events) {
      // Already in the snapshot (it was written, the commit was not): skip the whole replay by offset.
      if (state.offset !== undefined && BigInt(e.offset) <= BigInt(state.offset)) {
        seen.duplicate++;
        continue;
      }
      state.offset = e.offset;
      const a = e.value;
      if (this.opts.ignore.has(a.sourceIp)) {
        seen.ignored++;
        continue;
      }
      const r = state.windows.add({ id: a.id, sourceIp: a.sourceIp, time: Date.parse(a.time), count: a.count }, now);
      seen[r.outcome]++;
      changes.push(...r.changes);
    }
    changes.push(...state.windows.advance(now));
    await this.emit(changes);
    if (state.offset !== undefined) await this.save(events[0].partition, state);
    for (const [outcome, n] of Object.entries(seen)) if (n) this.attemptsSeen?.inc({ outcome }, n);
  }

  private async emit(changes: WindowChange[]): Promise<void> {
    if (changes.length === 0) return;
    const findMin = Math.round(this.opts.findTimeMs / 60_000);
    await this.alerts.apply(
      changes.map((c): AlertChange => ({
        action: c.action,
        subject: c.sourceIp,
        symptom: SYMPTOM,
        at: new Date(c.at),
        since: new Date(c.since),
        ...(c.attempts !== undefined ? { description: `${c.attempts} failed SSH login attempts within ${findMin} min (maxretry ${this.opts.maxRetry}), first at ${new Date(c.since).toISOString()}` } : {}),
      })),
    );
    for (const c of changes) this.alertChanges?.inc({ action: c.action });
    const opened = changes.filter((c) => c.action !== 'release').map((c) => `${c.sourceIp} (${c.action})`);
    if (opened.length) this.opts.logger.info({ sources: opened }, 'ssh brute force detected');
  }

  private async save(partition: number, state: PartitionState): Promise<void> {
    const { dropped, ...doc } = toSnapshot(this.snapshotId(partition), state.offset!, state.windows, this.now());
    if (dropped) this.opts.logger.warn({ partition, dropped, kept: doc.sources.length }, 'brute-force snapshot full: addresses with the fewest attempts left out (kept in memory)');
    await this.snapshots.collection.replaceOne({ _id: doc._id } as never, doc as never, { upsert: true });
  }

  private snapshotId(partition: number): string {
    return `${this.opts.groupId}/${partition}`;
  }

  /**
   * One piece of work at a time per partition (chunks and the sweep). A failure drops the partition's
   * memory, so the retry starts again from the last snapshot instead of from half-applied state.
   */
  private withPartition(partition: number, load: boolean, work: (state: PartitionState) => Promise<void>): Promise<void> {
    const run = (this.locks.get(partition) ?? Promise.resolve()).then(async () => {
      if (!load && !this.partitions.has(partition)) return; // revoked meanwhile: its new owner decides
      const state = await this.load(partition);
      try {
        await work(state);
      } catch (err) {
        this.partitions.delete(partition);
        throw err;
      }
    });
    this.locks.set(partition, run.catch(() => undefined));
    return run;
  }

  private async load(partition: number): Promise<PartitionState> {
    const held = this.partitions.get(partition);
    if (held) return held;
    const doc = await this.snapshots.findById(this.snapshotId(partition)).lean<WindowSnapshotDoc>();
    const opts = { maxRetry: this.opts.maxRetry, findTimeMs: this.opts.findTimeMs };
    const state: PartitionState = doc ? { windows: fromSnapshot(doc, opts), offset: doc.offset } : { windows: new PartitionWindows(opts) };
    if (doc) this.opts.logger.info({ partition, offset: doc.offset, sources: doc.sources.length }, 'brute-force window restored from its snapshot');
    this.partitions.set(partition, state);
    return state;
  }
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): prom.Counter<L> {
  return (registry.getSingleMetric(name) as prom.Counter<L> | undefined) ?? new prom.Counter({ name, help, labelNames, registers: [registry] });
}

function gauge(registry: Registry, name: string, help: string, collect: (this: prom.Gauge) => void): void {
  registry.removeSingleMetric(name); // the newest detector on this registry reports (tests restart the app in one process)
  new prom.Gauge({ name, help, registers: [registry], collect });
}
