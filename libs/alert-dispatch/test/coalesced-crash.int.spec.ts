import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { alertFingerprint, type AlertEvent } from '@watchkeeper/contracts';
import type { ConsumedEvent } from '@watchkeeper/kafka';
import { connectMongo, ensureIndexes } from '@watchkeeper/mongo';
import { parseRoutingConfig } from '@watchkeeper/alert-routing';
import { AlertHistoryStore, AlertStateStore, bucketId, countBatch, dayOfBucket, hourKey, type HistoryRecord } from '@watchkeeper/alert-state';
import { DeliveryStore, OccupancyBook, type OpenSegment, type QueueItem } from '@watchkeeper/delivery-queue';
import { ingestBatch, RecentIds, segmentItems, type IngestDeps } from '../src';
import { alert, logger, MONGO_URL } from './support';

/**
 * The chunks of several partitions are recorded together, one write per collection (pending marks,
 * segments, history, states, done marks). Here such a cycle "crashes" at each of its writes in turn —
 * before the write, after it, or with half of a bulk write landed (as an unordered bulk write can) —
 * and a new "process" (fresh stores, caches, admission counts) gets the same chunks redelivered, as
 * Kafka does after a crash. Against the real MongoDB-wire server, every time: each event recorded once,
 * decisions recorded before the crash reused (not decided again), every state change applied once,
 * every queued notification in exactly one open segment and handed over once after the restart.
 */
class Crash extends Error {}

/** Counts the database writes of a cycle and, at the chosen one, crashes: no write after it lands. */
class CrashPoint {
  readonly writes: Array<{ name: string; docs: number }> = [];
  private dead = false;

  constructor(private readonly at?: { write: number; how: 'before' | 'half' | 'after' }) {}

  wrap<T extends object>(target: T, writes: string[]): T {
    return new Proxy(target, {
      get: (t, prop) => {
        const v = Reflect.get(t, prop) as unknown;
        if (typeof v !== 'function') return v;
        if (!writes.includes(String(prop))) return v.bind(t);
        return (...args: unknown[]) => this.write(String(prop), args, (a) => v.apply(t, a) as Promise<unknown>);
      },
    });
  }

  private async write(name: string, args: unknown[], call: (args: unknown[]) => Promise<unknown>): Promise<unknown> {
    if (this.dead) throw new Crash(`${name}: the process is gone`);
    const docs = Array.isArray(args[0]) ? args[0].length : 1;
    this.writes.push({ name, docs });
    if (this.writes.length !== this.at?.write) return call(args);
    if (this.at.how === 'half') await call([(args[0] as unknown[]).slice(0, Math.ceil(docs / 2)), ...args.slice(1)]);
    else if (this.at.how === 'after') await call(args);
    this.dead = true; // writes issued side by side before this point still land
    throw new Crash(`crashed ${this.at.how} ${name}`);
  }
}

const PARTITIONS = [0, 1, 2, 3];
const T1 = new Date('2026-12-07T10:15:00Z');
const T2 = new Date('2026-12-07T10:16:00Z');

describe('a coalesced ingest cycle crashing at any of its writes (real MongoDB-wire server)', () => {
  const run = `cc_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
  let conn: Connection;
  const cfg = parseRoutingConfig(
    `
recipients:
  cc-hook: { type: webhook, url: "http://127.0.0.1:9/never" }
  cc-tight: { type: webhook, url: "http://127.0.0.1:9/never", perSourceQuota: 1 }
pools:
  - { name: run, match: { labels: { cc_run: "${run}" } }, recipients: [cc-hook, cc-tight] }
`,
    'coalesced-crash.yaml',
  );

  beforeAll(async () => {
    conn = await connectMongo({ url: MONGO_URL, dbName: `wk_test_${run}`, logger });
    await ensureIndexes([new AlertStateStore(conn).model, ...new AlertHistoryStore(conn).models, ...new DeliveryStore(conn).models]);
  });

  afterAll(async () => {
    await conn?.dropDatabase().catch(() => undefined);
    await conn?.close();
  });

  /** Per partition: a trigger, a store, the same trigger again (silent), another trigger, a release of the first, a store. */
  function eventsOf(tag: string): Array<ConsumedEvent<AlertEvent>> {
    return PARTITIONS.flatMap((p) => {
      const a = { kind: 'host', id: `a-${p}-${tag}` };
      const b = { kind: 'host', id: `b-${p}-${tag}` };
      const labels = { cc_run: run };
      const list: AlertEvent[] = [
        alert({ entity: a, action: 'trigger', labels }),
        alert({ entity: a, action: 'store', type: 'cc-store', labels }),
        alert({ entity: a, action: 'trigger', labels }),
        alert({ entity: b, action: 'trigger', labels }),
        alert({ entity: a, action: 'release', labels }),
        alert({ entity: b, action: 'store', type: 'cc-store', labels }),
      ];
      return list.map((value, i) => ({ value, key: value.entity.id, headers: {}, topic: 'alerts', partition: p, offset: String(10 + i), eventId: value.id }));
    });
  }

  /** One process's view: its own stores (caches), admission counts and recent ids, and what it handed to the workers. */
  function life(groupId: string, now: Date, crash?: CrashPoint) {
    const history = new AlertHistoryStore(conn);
    const store = new DeliveryStore(conn);
    store.expander = async (segs) => new Map(await Promise.all(segs.map(async (sg) => [sg._id, segmentItems(await history.loadBucket(sg.bucket!), sg.recipient)] as const)));
    const handed: QueueItem[] = [];
    const hand = (parts: Array<{ segment: OpenSegment; items: QueueItem[] }>) => parts.forEach((p) => handed.push(...p.items));
    const deps: IngestDeps = {
      groupId,
      states: crash ? crash.wrap(new AlertStateStore(conn), ['saveMany']) : new AlertStateStore(conn),
      history: crash ? crash.wrap(history, ['markPendingMany', 'saveBatches', 'deleteBatch', 'markDoneMany']) : history,
      store: crash ? crash.wrap(store, ['saveChunkSegments', 'dropChunkSegments']) : store,
      occupancy: new OccupancyBook(),
      recentIds: new RecentIds(1000),
      routing: () => cfg,
      silences: () => [],
      clock: () => now,
      early: hand,
      durable: () => undefined,
      settledOf: () => [],
      unfinished: new Map(),
    };
    return {
      history,
      store,
      handed,
      /** What the engine does with a consumed cycle (outcomes are published in between; not here). */
      async cycle(events: Array<ConsumedEvent<AlertEvent>>) {
        const result = await ingestBatch(deps, events);
        await result.done();
        hand(result.queued);
        hand(result.reloaded);
      },
      /** What a restarted engine loads on assignment: the open segments of chunks already done. */
      async loadOpen() {
        const through = new Map<number, bigint | null>();
        for (const p of PARTITIONS) {
          const progress = await history.loadProgress(groupId, p);
          through.set(p, progress.through === null ? null : BigInt(progress.through));
        }
        const { items } = await store.open({ partitions: PARTITIONS, through });
        handed.push(...items.filter((i) => i.segment!.startsWith(`${groupId}:`)));
      },
    };
  }

  const bucketsOf = async (history: AlertHistoryStore, groupId: string) => {
    const out = new Map<number, HistoryRecord[]>();
    for (const p of PARTITIONS) out.set(p, await history.loadBucket(bucketId(groupId, p, '10', T1)));
    return out;
  };
  const key = (i: { _id: string }) => i._id;

  /** The books after the redelivery: exactly once everywhere, and what was recorded before the crash kept. */
  async function checkOnce(groupId: string, events: Array<ConsumedEvent<AlertEvent>>, before: Map<number, HistoryRecord[]>, handed: QueueItem[]) {
    const history = new AlertHistoryStore(conn);
    const store = new DeliveryStore(conn);
    store.expander = async (segs) => new Map(await Promise.all(segs.map(async (sg) => [sg._id, segmentItems(await history.loadBucket(sg.bucket!), sg.recipient)] as const)));
    const queued = new Set<string>();
    for (const p of PARTITIONS) {
      expect(await history.loadProgress(groupId, p)).toMatchObject({ through: '15', pending: null });
      const records = (await bucketsOf(history, groupId)).get(p)!;
      expect(records.map((r) => r.eventId)).toEqual(events.filter((e) => e.partition === p).map((e) => e.eventId));
      const counts = await history.counts(dayOfBucket(bucketId(groupId, p, '10', T1))!).findOne({ _id: bucketId(groupId, p, '10', T1) });
      expect({ alerts: counts?.alerts, fanout: counts?.fanout }).toEqual(countBatch(records));
      // Recorded before the crash: the same decision and fan-out, received at the first attempt.
      const prior = new Map(before.get(p)!.map((r) => [r.eventId, r]));
      for (const r of records) {
        const was = prior.get(r.eventId);
        expect(r.receivedAt).toEqual(was ? was.receivedAt : T2);
        if (was) expect({ decision: r.decision, fanout: r.fanout }).toEqual({ decision: was.decision, fanout: was.fanout });
      }
      // Notified once per episode: a new alert, its silent repeat, another alert, the resolution.
      expect(records.map((r) => r.decision.reason)).toEqual(['new', 'stateless', 'refresh', 'new', 'resolved', 'stateless']);
      for (const r of records) for (const f of r.fanout) if (f.state === 'queued') queued.add(`${r.eventId}|${f.recipient}`);
    }
    // No other bucket of this group, each listed once under its hour.
    expect((await history.batches(dayOfBucket(bucketId(groupId, 0, '10', T1))!).find({ _id: { $regex: `^${groupId}:` } }, { projection: { _id: 1 } }).toArray()).map(key).sort()).toEqual(PARTITIONS.map((p) => bucketId(groupId, p, '10', T1)).sort());
    const listed = (await history.bucketsByHour(T1, T2)).flatMap((h) => h.buckets).filter((id) => id.startsWith(`${groupId}:`));
    expect(listed.sort()).toEqual(PARTITIONS.map((p) => bucketId(groupId, p, '10', T1)).sort());
    expect((await history.bucketsByHour(T1, T2)).map((h) => h.hour)).toEqual([hourKey(T1)]);
    // Every state change applied once: the first alert resolved after two triggers, the second firing.
    const states = await new AlertStateStore(conn).load(events.map((e) => alertFingerprint(e.value)));
    for (const p of PARTITIONS) {
      const [a, , , b] = events.filter((e) => e.partition === p);
      expect(states.get(alertFingerprint(a.value))).toMatchObject({ status: 'resolved', triggerCount: 2, applied: { partition: p, offset: '14' } });
      expect(states.get(alertFingerprint(b.value))).toMatchObject({ status: 'firing', triggerCount: 1, applied: { partition: p, offset: '13' } });
    }
    // Every queued notification in exactly one open segment, and handed to the workers once after the restart.
    const open = (await store.open({ partitions: PARTITIONS })).items.filter((i) => i.segment!.startsWith(`${groupId}:`));
    expect(open.map(key).sort()).toEqual([...queued].sort());
    expect(handed.map(key).sort()).toEqual([...queued].sort());
  }

  it('records a clean cycle of four partitions in one write per step, exactly once', async () => {
    const groupId = `cc-clean-${run}`;
    const events = eventsOf('clean');
    const crash = new CrashPoint();
    const first = life(groupId, T2, crash);
    await first.cycle(events);
    expect(crash.writes).toEqual([
      { name: 'markPendingMany', docs: 4 },
      { name: 'saveChunkSegments', docs: 8 },
      { name: 'saveBatches', docs: 4 },
      { name: 'saveMany', docs: 8 },
      { name: 'markDoneMany', docs: 4 },
    ]);
    await checkOnce(groupId, events, new Map(PARTITIONS.map((p) => [p, []])), first.handed);
  }, 60_000);

  it('crashed before, half-way through or after any write of the cycle, the redelivery loses and repeats nothing', async () => {
    const clean = new CrashPoint();
    await life(`cc-count-${run}`, T1, clean).cycle(eventsOf('count'));
    const cases = clean.writes.flatMap((w, i) => (['before', 'half', 'after'] as const).filter((how) => how !== 'half' || w.docs > 1).map((how) => ({ write: i + 1, how, name: w.name })));
    expect(cases.length).toBeGreaterThanOrEqual(13);
    for (const c of cases) {
      const groupId = `cc-${c.write}-${c.how}-${run}`;
      const events = eventsOf(`${c.write}-${c.how}`);
      const crash = new CrashPoint(c);
      await expect(life(groupId, T1, crash).cycle(events)).rejects.toThrow(Crash);
      const before = await bucketsOf(new AlertHistoryStore(conn), groupId);
      // The restart: a new process loads the open segments of done chunks, then gets the rest redelivered.
      const second = life(groupId, T2);
      await second.loadOpen();
      await second.cycle(events);
      try {
        await checkOnce(groupId, events, before, second.handed);
      } catch (err) {
        throw new Error(`crashed ${c.how} write ${c.write} (${c.name}): ${(err as Error).message}`);
      }
    }
  }, 120_000);
});
