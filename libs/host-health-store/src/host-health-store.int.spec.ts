import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { EventProducer, createKafka, ensureTopics } from '@watchkeeper/kafka';
import { Topics } from '@watchkeeper/contracts';
import { connectMongo, ensureIndexes } from '@watchkeeper/mongo';
import { Outbox } from '@watchkeeper/outbox';
import { createLogger } from '@watchkeeper/runtime';
import { HostHealthStore } from './host-health-store';

// Real MongoDB-wire server. Kafka is unreachable for `outbox` (events only go to the outbox); the
// restart test publishes through the real broker.
describe('HostHealthStore', () => {
  const logger = createLogger({ service: 'host-health-store-test', level: 'silent' });
  const suffix = randomBytes(4).toString('hex');
  let conn: Connection;
  let store: HostHealthStore;
  let outbox: Outbox;

  beforeAll(async () => {
    conn = await connectMongo({ url: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017', dbName: `wk_test_hhs_${suffix}`, logger });
    const producer = new EventProducer(createKafka({ brokers: ['127.0.0.1:1'], clientId: 't', logger }), 'test');
    outbox = new Outbox({ conn, producer, logger });
    store = new HostHealthStore(conn, outbox);
    await ensureIndexes([outbox.model, store.model]);
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('keeps the latest whole report per host, and one outbox event per save, under concurrent saves', async () => {
    const at = new Date('2026-06-01T00:00:00Z');
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.save(`h${i % 5}`, { i, 'a.b': { $c: i } }, new Date(at.getTime() + i))));
    const all = await store.all();
    expect(all.map((s) => s.host)).toEqual(['h0', 'h1', 'h2', 'h3', 'h4']);
    for (const s of all) {
      const i = (s.report as { i: number }).i;
      expect(i).toBeGreaterThanOrEqual(45); // the last save of each host wins
      expect(s.report).toEqual({ i, 'a.b': { $c: i } });
      expect(s.receivedAt).toBe(new Date(at.getTime() + i).toISOString());
    }
    expect(await outbox.pending()).toBe(50);
    expect(outbox.backlog).toBe(50); // counted in memory, as the load shedder reads it
    // Only the log holds them so far: nothing is compacted before the relay retires entries.
    expect(await store.model.countDocuments()).toBe(0);
  });

  it('compaction: newest wins by receivedAt then event id, in any order and when repeated', async () => {
    const at = new Date('2026-06-02T00:00:00Z');
    for (let i = 0; i < 6; i++) await store.save('c1', { i }, new Date(at.getTime() + (i < 4 ? i : 3))); // i = 3, 4, 5 tie on time
    const entries = await outbox.model.find({ key: 'c1' }).lean();
    const tiedNewest = entries.filter((e) => JSON.parse(e.value).receivedAt === new Date(at.getTime() + 3).toISOString()).sort((a, b) => (a._id < b._id ? 1 : -1))[0];
    // Newest first, then one at a time oldest first, then everything again: the result must not change.
    await store.compact([...entries].reverse());
    for (const e of entries) await store.compact([e]);
    await store.compact(entries);
    const doc = await store.model.findById('c1').lean();
    expect(doc?.eventId).toBe(tiedNewest._id);
    expect(JSON.parse(doc!.report)).toEqual(JSON.parse(tiedNewest.value).report);
    expect(doc?.receivedAt.toISOString()).toBe(new Date(at.getTime() + 3).toISOString());
  });

  it('a reader sees the newest snapshot whether it is compacted or still only in the log', async () => {
    const t0 = new Date('2026-06-03T00:00:00Z');
    await store.save('r1', { v: 'old' }, t0);
    await store.compact(await outbox.model.find({ key: 'r1' }).lean());
    await outbox.model.deleteMany({ key: 'r1' });
    await store.save('r1', { v: 'new' }, new Date(t0.getTime() + 1000));
    expect(await store.model.findById('r1').lean().then((d) => JSON.parse(d!.report))).toEqual({ v: 'old' });
    expect((await store.get('r1'))?.report).toEqual({ v: 'new' });
    expect((await store.all()).find((s) => s.host === 'r1')?.report).toEqual({ v: 'new' });
    // An older entry left in the log (e.g. re-sent after a crash) does not hide a newer compacted one.
    await store.compact(await outbox.model.find({ key: 'r1' }).lean());
    await outbox.model.deleteMany({ key: 'r1' });
    await store.save('r1', { v: 'stale' }, t0);
    expect((await store.get('r1'))?.report).toEqual({ v: 'new' });
  });

  it('a crash between insert and compaction loses nothing: a new instance publishes, folds and retires the log', async () => {
    const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
    const kafka = createKafka({ brokers, clientId: `hhs-test-${suffix}`, logger });
    await ensureTopics(kafka, [Topics.hostHealth]);
    // The "crashed" instance stored these and died before its relay ran (the relay above never reaches Kafka).
    const at = new Date('2026-06-04T00:00:00Z');
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.save(`k${i % 3}`, { i }, new Date(at.getTime() + i))));
    const producer = new EventProducer(kafka, 'test');
    const outbox2 = new Outbox({ conn, producer, logger });
    const store2 = new HostHealthStore(conn, outbox2);
    try {
      await store2.save('own', { i: 0 }, at);
      expect(outbox2.backlog).toBe(1); // its own entry only: what another instance left is not counted
      const before = await outbox2.pending();
      expect(await outbox2.drainOnce()).toBe(before);
      expect(await outbox2.pending()).toBe(0);
      expect(outbox2.backlog).toBe(0);
      for (let h = 0; h < 3; h++) {
        const doc = await store2.model.findById(`k${h}`).lean();
        expect(JSON.parse(doc!.report)).toEqual({ i: 27 + h });
        expect((await store2.get(`k${h}`))?.report).toEqual({ i: 27 + h });
      }
      // Everything the earlier tests left is folded too: the newest of each host is what reads showed.
      expect((await store2.get('r1'))?.report).toEqual({ v: 'new' });
      expect((await store2.get('h0'))?.report).toEqual({ i: 45, 'a.b': { $c: 45 } });
    } finally {
      await producer.disconnect();
    }
  });

  it('segmented outbox: a dead instance\'s segments are adopted, folded and published; a drained segment is dropped', async () => {
    const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
    const kafka = createKafka({ brokers, clientId: `hhs-seg-${suffix}`, logger });
    const db = conn.useDb(`wk_test_hhs_seg_${suffix}`);
    // The dead instance: writes to its own segment, never heartbeats, never publishes (its Kafka is unreachable).
    const deadOutbox = new Outbox({ conn: db, producer: new EventProducer(createKafka({ brokers: ['127.0.0.1:1'], clientId: 't', logger }), 'test'), logger, segmented: true });
    const dead = new HostHealthStore(db, deadOutbox);
    const at = new Date('2026-06-05T00:00:00Z');
    await Promise.all(Array.from({ length: 20 }, (_, i) => dead.save(`s${i % 4}`, { i }, new Date(at.getTime() + i))));
    expect(deadOutbox.backlog).toBe(20);
    const segs = async () => (await db.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => n.startsWith('outbox_seg_'));
    expect(await segs()).toHaveLength(1);
    // Readers see the newest snapshot while it is only in a segment.
    expect((await dead.get('s3'))?.report).toEqual({ i: 19 });

    const producer = new EventProducer(kafka, 'test');
    const liveOutbox = new Outbox({ conn: db, producer, logger, segmented: true });
    const live = new HostHealthStore(db, liveOutbox);
    try {
      // While the other instance is alive (its heartbeat fresh), its segment is read, never drained, here.
      const owners = db.collection('outbox_owners');
      await owners.replaceOne({ _id: deadOutbox['segments']!.instanceId as never }, { seenAt: new Date() }, { upsert: true });
      expect((await live.get('s2'))?.report).toEqual({ i: 18 });
      expect(await liveOutbox.drainOnce()).toBe(0);
      await owners.deleteMany({}); // now it is gone: its segment is adopted
      await live.save('s0', { i: 100 }, new Date(at.getTime() + 100));
      expect(liveOutbox.backlog).toBe(1);
      expect(await liveOutbox.drainOnce()).toBe(21);
      expect(await liveOutbox.pending()).toBe(0);
      expect(liveOutbox.backlog).toBe(0);
      for (let h = 0; h < 4; h++) expect(JSON.parse((await live.model.findById(`s${h}`).lean())!.report)).toEqual({ i: h === 0 ? 100 : 16 + h });
      // The live instance's own segment was folded and dropped; the dead one's is emptied entry by entry.
      const left = await segs();
      expect(left.every((n) => n.includes(deadOutbox['segments']!.instanceId))).toBe(true);
    } finally {
      await producer.disconnect();
      await db.dropDatabase();
    }
  });
});
