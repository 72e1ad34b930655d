import { Schema, type Connection } from 'mongoose';
import { createLogger } from '@watchkeeper/runtime';
import { connectMongo, ensureIndexes, isDuplicateKey, mongoPing } from './index';

// Runs against the real MongoDB-wire server started by tools/infra (mongod, or FerretDB 1.24 on SQLite).
const url = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const dbName = `wk_test_mongo_${Date.now().toString(36)}`;

interface Host {
  name: string;
  group: string;
  reports: number;
  lastSeenAt?: Date;
}

const hostSchema = new Schema<Host>({
  name: { type: String, required: true },
  group: { type: String, required: true },
  reports: { type: Number, default: 0 },
  lastSeenAt: Date,
});
// Serves: find the host by name (and makes a second document for one host impossible).
hostSchema.index({ name: 1 }, { unique: true });
// Serves: list a group's hosts.
hostSchema.index({ group: 1, name: 1 });

describe('mongoose against the MongoDB-wire server', () => {
  let conn: Connection;

  beforeAll(async () => {
    conn = await connectMongo({ url, dbName, logger: createLogger({ service: 'mongo-int-test', level: 'warn' }) });
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('answers a ping', async () => {
    expect(await mongoPing(conn)).toBe(true);
  });

  it('builds indexes explicitly, does CRUD, upserts and enforces a unique index', async () => {
    const Hosts = conn.model<Host>('Host', hostSchema, 'hosts');
    await ensureIndexes([Hosts]);
    await ensureIndexes([Hosts]); // idempotent
    const names = (await Hosts.listIndexes()).map((i: { name: string }) => i.name).sort();
    expect(names).toEqual(['_id_', 'group_1_name_1', 'name_1']);

    await Hosts.create({ name: 'web-1', group: 'lab' });
    expect((await Hosts.findOne({ name: 'web-1' }).lean())?.group).toBe('lab');

    await Hosts.updateOne({ name: 'web-1' }, { $inc: { reports: 2 }, $set: { lastSeenAt: new Date('2026-01-01T00:00:00Z') } });
    const updated = await Hosts.findOne({ name: 'web-1' }).lean();
    expect(updated?.reports).toBe(2);
    expect(updated?.lastSeenAt?.toISOString()).toBe('2026-01-01T00:00:00.000Z');

    // findOneAndUpdate with upsert: creates once, then updates the same document.
    for (let i = 0; i < 3; i++) {
      await Hosts.findOneAndUpdate({ name: 'db-1' }, { $setOnInsert: { group: 'lab' }, $inc: { reports: 1 } }, { upsert: true, new: true });
    }
    expect(await Hosts.countDocuments({ name: 'db-1' })).toBe(1);
    expect((await Hosts.findOne({ name: 'db-1' }).lean())?.reports).toBe(3);

    let dup: unknown;
    try {
      await Hosts.create({ name: 'web-1', group: 'other' });
    } catch (err) {
      dup = err;
    }
    expect(isDuplicateKey(dup)).toBe(true);

    const byGroup = await Hosts.find({ group: 'lab' }).sort({ name: 1 }).lean();
    expect(byGroup.map((h) => h.name)).toEqual(['db-1', 'web-1']);

    await Hosts.deleteOne({ name: 'db-1' });
    expect(await Hosts.countDocuments()).toBe(1);
  });
});
