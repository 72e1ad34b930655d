import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { EventProducer, createKafka } from '@watchkeeper/kafka';
import { connectMongo, ensureIndexes } from '@watchkeeper/mongo';
import { Outbox } from '@watchkeeper/outbox';
import { createLogger } from '@watchkeeper/runtime';
import { HostHealthStore } from './host-health-store';

// Real MongoDB-wire server; Kafka is not needed: events only go to the outbox here.
describe('HostHealthStore', () => {
  const logger = createLogger({ service: 'host-health-store-test', level: 'silent' });
  let conn: Connection;
  let store: HostHealthStore;
  let outbox: Outbox;

  beforeAll(async () => {
    conn = await connectMongo({ url: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017', dbName: `wk_test_hhs_${randomBytes(4).toString('hex')}`, logger });
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
  });
});
