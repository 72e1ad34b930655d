/**
 * The last-seen store against the real MongoDB-wire server, at a fleet size where one bulk write of
 * every listener is an update command of more than 100 statements matching stored documents — which
 * FerretDB 1.24 never answers (it then stops answering anything). Saved in chunks, both passes finish.
 */
import mongoose from 'mongoose';
import type { PersistedListener } from '@watchkeeper/heartbeat';
import { heartbeatListenerModel } from '@watchkeeper/dal/heartbeat-server';
import { MongoLastSeenStore } from '../src/last-seen-store';

const mongoUrl = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const dbName = `wk_test_hb_lastseen_${Date.now().toString(36)}`;
let conn: mongoose.Connection;

beforeAll(async () => {
  conn = await mongoose.createConnection(mongoUrl, { dbName, socketTimeoutMS: 20_000 }).asPromise();
});
afterAll(async () => {
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

it('saves 300 listeners twice (the second time over stored documents) and loads the latest state of each', async () => {
  const store = new MongoLastSeenStore(heartbeatListenerModel(conn), 'hb-test');
  const listeners = (state: PersistedListener['state'], seen: number): PersistedListener[] =>
    Array.from({ length: 300 }, (_, i) => ({ node: 'node-a', id: `listener-${i}`, expected: true, state, alertOpen: state === 'missing', lastSeenAtMs: seen + i }));
  await store.save(listeners('ok', 1_700_000_000_000));
  await store.save(listeners('missing', 1_700_000_600_000));
  const loaded = await store.load();
  expect(loaded).toHaveLength(300);
  expect(loaded.every((l) => l.state === 'missing' && l.alertOpen)).toBe(true);
  expect(loaded.find((l) => l.id === 'listener-7')?.lastSeenAtMs).toBe(1_700_000_600_007);
}, 60_000);
