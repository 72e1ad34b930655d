import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Connection } from 'mongoose';
import { parseRoutingConfig } from '@watchkeeper/alert-routing';
import { alertDispatcherDayOf, COLLECTIONS, dayOfBucket } from '@watchkeeper/dal';
import { createKafka, EventProducer } from '@watchkeeper/kafka';
import { connectMongo } from '@watchkeeper/mongo';
import { createMetrics, listen, type RunningServer } from '@watchkeeper/runtime';
import { DispatcherEngine, dispatcherHttpApp, migrateHistory } from '../src';
import { GROUP, HistorySeeder, RECIPIENTS } from './history-days';
import { KAFKA_BROKERS, logger, MONGO_URL } from './support';

/**
 * migrate-history on the real MongoDB-wire server: history written as releases before per-day
 * collections wrote it (single `alert_history`, `alert_history_counts`, `alert_history_hours`,
 * `delivery_digests`; batch ids without a day, named so by open queue segments and a pending mark)
 * is moved into the day collections, and the API answers exactly what it answered for the same
 * history written by this release: /v1/alerts, accounting, a history page, the open queue.
 */
const DAY = 86_400_000;
const TODAY = new Date('2030-03-10T00:00:00.000Z');
const TOKEN = 'migrate-admin-token-0123456789';
const undated = (id: string) => id.replace(/@\d{8}$/, '');

describe('watchkeeper-alert-dispatcher migrate-history', () => {
  let conn: Connection;
  let engine: DispatcherEngine;
  let api: RunningServer;

  beforeAll(async () => {
    conn = await connectMongo({ url: MONGO_URL, dbName: `wk_test_migrate_history_${Date.now().toString(36)}`, logger });
    const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: 'migrate-test', logger });
    const routing = { current: parseRoutingConfig(`recipients:\n  ${RECIPIENTS.hook}: { type: webhook, url: "http://127.0.0.1:9/" }\npools:\n  - { name: all, recipients: [${RECIPIENTS.hook}] }\n`, 'migrate.yaml') };
    engine = new DispatcherEngine({ conn, kafka, producer: new EventProducer(kafka, 'test/migrate'), logger, registry: createMetrics('migrate-test'), routing, groupId: GROUP });
    api = await listen(dispatcherHttpApp(engine, { adminToken: TOKEN, logger }), 0, '127.0.0.1');
  });
  afterAll(async () => {
    await api?.close();
    await conn?.dropDatabase().catch(() => undefined);
    await conn?.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${api.port}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return res.json() as Promise<any>;
  };

  /** What the API and the queue answer for the seeded history. */
  async function figures() {
    const from = new Date(TODAY.getTime() - 3 * DAY).toISOString();
    const to = new Date(TODAY.getTime() + DAY).toISOString();
    const history: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await get(`/v1/alerts/history?from=${from}&to=${to}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      history.push(...page.entries.map((e: { eventId: string }) => e.eventId));
      cursor = page.nextCursor;
    } while (cursor);
    const { items } = await engine.store.open();
    return {
      recent: (await get('/v1/alerts?limit=200')).recent,
      accounting: await get(`/v1/accounting?from=${from}&to=${to}`),
      hour: await get(`/v1/accounting?from=${new Date(TODAY.getTime() - DAY + 3_600_000).toISOString()}&to=${new Date(TODAY.getTime() - DAY + 7_200_000).toISOString()}`),
      history,
      queued: items.map((i) => i._id).sort(),
    };
  }

  /** Rewrites the stored history as an earlier release kept it: single collections, ids without a day. */
  async function asEarlierRelease(): Promise<void> {
    const db = conn.db!;
    const legacy = COLLECTIONS.alertDispatcher;
    const hours = new Map<string, string[]>();
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      const d = alertDispatcherDayOf(name);
      if (!d) continue;
      const docs = await db.collection(name).find({}).toArray();
      if (d.kind === 'hours') for (const h of docs) hours.set(String(h._id), [...(hours.get(String(h._id)) ?? []), ...h.buckets.map(undated)]);
      else {
        const target = { batches: legacy.alertHistory, counts: legacy.alertHistoryCounts, digests: legacy.deliveryDigests }[d.kind];
        if (docs.length > 0) await db.collection(target).insertMany(docs.map((doc) => ({ ...doc, _id: d.kind === 'digests' ? doc._id : (undated(String(doc._id)) as never) })));
      }
      await db.dropCollection(name);
    }
    await db.collection(legacy.alertHistoryHours).insertMany([...hours].map(([_id, buckets]) => ({ _id: _id as never, buckets })));
    for (const s of await engine.store.segments.find({ ref: true }).lean()) await engine.store.segments.updateOne({ _id: s._id }, { $set: { bucket: undated(s.bucket!) } });
    for (const p of await engine.history.progress.find({}).lean()) if (p.pending) await engine.history.progress.updateOne({ _id: p._id }, { $set: { 'pending.bucketId': undated(p.pending.bucketId) } });
  }

  it('moves the single collections into day collections; the API answers the same, and a second run moves nothing', async () => {
    const seed = new HistorySeeder(engine);
    const days = [3, 2, 1, 0].map((d) => new Date(TODAY.getTime() - d * DAY));
    const ids: string[] = [];
    for (const [i, day] of days.entries()) ids.push(...(await seed.day(day, 6 + i, 4, i % 2)));
    await seed.openSegment(ids[3], TODAY);
    await seed.openSegment(ids[ids.length - 1], TODAY);
    const pendingId = ids[ids.length - 2];
    await engine.history.markPendingMany([{ progress: { _id: `${GROUP}:1`, through: null, pending: null }, pending: { bucketId: pendingId, firstOffset: '0', lastOffset: '0' } }]);
    const written = await figures();
    expect(written.recent).toHaveLength(120);
    expect(written.history).toHaveLength(120);
    expect(written.queued).toHaveLength(8);
    expect(written.accounting.byRecipient[RECIPIENTS.hook]).toMatchObject({ received: 120, delivered: 120 });

    await asEarlierRelease();
    expect(await engine.history.hasLegacyBatches()).toBe(true);
    expect((await get('/v1/alerts')).recent).toEqual([]); // not migrated yet: this release reads day collections only
    expect((await engine.store.open()).items.map((i) => i._id).sort()).toEqual(written.queued); // the queue still loads (earlier batches read where they are)

    expect(await migrateHistory(conn)).toEqual({ batches: ids.length, digests: ids.length, segments: 2, pending: 1 });
    expect(await engine.history.hasLegacyBatches()).toBe(false);
    expect(await figures()).toEqual(written);
    const progress = await engine.history.loadProgress(GROUP, 1);
    expect(progress.pending?.bucketId).toBe(pendingId);
    expect(dayOfBucket(progress.pending!.bucketId)).toBe('20300310');
    const names = (await conn.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    for (const legacy of ['alert_history', 'alert_history_counts', 'alert_history_hours', 'delivery_digests']) expect(names).not.toContain(legacy);

    expect(await migrateHistory(conn)).toEqual({ batches: 0, digests: 0, segments: 0, pending: 0 });
    expect(await figures()).toEqual(written);

    // The command (the built bin: `npx tsc -b` first) on the same database: nothing left to move.
    const bin = path.join(__dirname, '../../../apps/alert-dispatcher/bin/watchkeeper-alert-dispatcher.js');
    const r = spawnSync(process.execPath, [bin, 'migrate-history'], { env: { PATH: process.env.PATH ?? '', MONGO_URL, ALERT_DISPATCHER_MONGO_DB: conn.name, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('moved 0 history batch(es) and 0 delivery digest(s) into per-day collections; renamed the batch of 0 queue segment(s) and 0 pending mark(s)\n');
  }, 120_000);
});
