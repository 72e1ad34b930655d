import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { SshEvent } from '@watchkeeper/contracts';
import { connectMongo } from '@watchkeeper/mongo';
import { createLogger } from '@watchkeeper/runtime';
import { SshStatsAccumulator } from '@watchkeeper/ssh-stats';
import { SSH_COLLECTIONS } from '@watchkeeper/dal';
import type { JournalDoc } from '@watchkeeper/dal/receiver';
import { datesBetween, migrateLegacySshEvents, rawBundle, SshEventStore, type OffsetEvent } from '../src';
import { seededRandom } from '@watchkeeper/runtime/testing';
import { generatedSshLog } from '../src/testing/generated-ssh-log';

// Real MongoDB-wire server (FerretDB 1.24 on SQLite, or mongod) started by tools/infra.
const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const logger = createLogger({ service: 'ssh-store-test', level: 'silent' });

/** A store whose next batch can be cut short on either side of its journal write, as a crash would. */
class CrashableStore extends SshEventStore {
  crash: 'before-journal' | 'after-journal' | undefined;
  protected override async writeJournal(j: JournalDoc): Promise<void> {
    if (this.crash === 'before-journal') {
      this.crash = undefined;
      throw new Error('crash before the journal write');
    }
    await super.writeJournal(j);
    if (this.crash === 'after-journal') {
      this.crash = undefined;
      throw new Error('crash after the journal write');
    }
  }
}

describe('SshEventStore on the real database', () => {
  let conn: Connection;
  const dbs: string[] = [];
  const db = (name: string) => {
    const full = `wk_test_ssh_${name}_${randomBytes(3).toString('hex')}`;
    dbs.push(full);
    return conn.useDb(full, { useCache: true });
  };

  beforeAll(async () => {
    conn = await connectMongo({ url: MONGO_URL, dbName: 'wk_test_ssh_store', logger });
  });
  afterAll(async () => {
    for (const name of dbs) await conn.useDb(name).dropDatabase().catch(() => undefined);
    await conn.close();
  });

  async function expectSameAsCount(store: SshEventStore, events: SshEvent[], tz: string): Promise<void> {
    const expected = new SshStatsAccumulator({ timeZone: tz }).addAll(events).days();
    const dates = expected.map((d) => d.date).sort();
    const from = dates[0];
    const to = dates[dates.length - 1];
    const got = [];
    for (const host of await store.knownHosts()) for (const d of await store.hostDays(host, from, to)) if (d.stats) got.push(d.stats);
    expect(got).toEqual(expected);
    const attempts = new Map<string, number>();
    for (const e of events) {
      if (!e.sourceIp || e.method === 'none' || !['failed', 'accepted', 'invalid_user'].includes(e.kind)) continue;
      attempts.set(e.sourceIp, (attempts.get(e.sourceIp) ?? 0) + e.count);
    }
    const top = await store.topSources({ from, to, limit: 1000 });
    expect(new Map(top.sources.map((s) => [s.sourceIp, s.attempts]))).toEqual(attempts);
  }

  it.each([
    ['Europe/Berlin', '2026-03-26T00:00:00Z', undefined],
    ['Asia/Kolkata', '2026-12-29T00:00:00Z', undefined],
    // Caches of 40 entries in all: ids, PID days and day states are forgotten and read back on most batches.
    ['UTC', '2026-12-29T00:00:00Z', 40],
  ])('equals the one-shot count in %s from %s (cache entries %s): late lines, redelivered batches, republished events, crashes on both sides of the journal', async (tz, start, cacheEntries) => {
    const rnd = seededRandom(42);
    const events = generatedSshLog({ hosts: ['alpha', 'beta'], start: Date.parse(start), days: 5, sessionsPerDay: 40, rnd, pidRange: 30 });
    // Late lines: a tenth of them moved far later in the stream.
    const stream = [...events];
    for (let i = 0; i < stream.length / 10; i++) {
      const [e] = stream.splice(Math.floor(rnd() * stream.length), 1);
      stream.splice(Math.min(stream.length, Math.floor(rnd() * stream.length) + 200), 0, e);
    }
    // The collector re-ships some events: the same ids at later offsets.
    const republished = [...stream, ...stream.filter(() => rnd() < 0.05)];
    const offsets: OffsetEvent[] = republished.map((value, i) => ({ offset: String(i), value }));
    const database = db('exact');
    const source = { topic: 'watchkeeper.ssh-events.v1', partition: 0 };
    const opts = { timeZone: tz, ...(cacheEntries ? { cacheEntries } : {}) };
    let store = new CrashableStore(database, opts);
    await store.init();
    let appliedTotal = 0;
    for (let i = 0, b = 0; i < offsets.length; b++) {
      const batch = offsets.slice(i, i + 1 + Math.floor(rnd() * 120));
      if (b % 7 === 3 || b % 7 === 5) {
        // A crash on one side of the journal write; the restarted consumer gets the same batch again.
        store.crash = b % 7 === 3 ? 'before-journal' : 'after-journal';
        await expect(store.applyBatch(source, batch)).rejects.toThrow(/crash/);
        store = new CrashableStore(database, opts);
        await store.init();
      }
      const r = await store.applyBatch(source, batch);
      appliedTotal += r.applied.length + r.replayed.length;
      const applied = [...r.replayed, ...r.applied];
      // Redelivered (the offsets not committed yet): the figures do not change; the same events are handed on again.
      const again = await store.applyBatch(source, batch);
      expect(again.applied).toEqual([]);
      expect(again.replayed).toEqual(applied);
      i += batch.length;
    }
    expect(appliedTotal).toBe(events.length);
    await expectSameAsCount(store, events, tz);
    // A fresh process reads the same figures back.
    await expectSameAsCount(new SshEventStore(database, { timeZone: tz }), events, tz);
  }, 180_000);

  it('migrate-ssh builds the same figures from the legacy collection, and a second run changes nothing', async () => {
    const events = generatedSshLog({ hosts: ['gamma'], start: Date.parse('2026-06-01T00:00:00Z'), days: 3, sessionsPerDay: 50, rnd: seededRandom(7), pidRange: 25 });
    const legacy = db('legacy');
    await legacy.db!.collection(SSH_COLLECTIONS.legacyEvents).insertMany(
      events.map((e) => ({ _id: e.id, host: e.host, time: new Date(e.time), kind: e.kind, pid: e.pid, count: e.count, ...(e.sourceIp ? { sourceIp: e.sourceIp } : {}), ...(e.sourceInferred ? { sourceInferred: true } : {}), ...(e.method ? { method: e.method } : {}) })) as never[],
    );
    const target = db('migrated');
    const first = await migrateLegacySshEvents(legacy, new SshEventStore(target, { timeZone: 'UTC' }), { chunk: 100 });
    expect(first).toEqual({ read: events.length, applied: events.length });
    const store = new SshEventStore(target, { timeZone: 'UTC' });
    await expectSameAsCount(store, events, 'UTC');
    const second = await migrateLegacySshEvents(legacy, new SshEventStore(target, { timeZone: 'UTC' }), { chunk: 100 });
    expect(second).toEqual({ read: events.length, applied: 0 });
    await expectSameAsCount(new SshEventStore(target, { timeZone: 'UTC' }), events, 'UTC');
  }, 120_000);

  it('a batch and the retention sweep cost the same with ten times the stored history', async () => {
    const now = new Date('2026-09-20T12:00:00Z');
    /** Stored history: raw events of past days (as the consumer leaves them), days older than retention among them. */
    async function seed(name: string, rawPerDay: number): Promise<SshEventStore> {
      const database = db(name);
      let o = 0;
      for (const date of datesBetween('2026-07-01', '2026-09-10')) {
        // As the consumer leaves them: raw bundles of 500 events, and a day state per host.
        const events = Array.from({ length: rawPerDay }, (_, i) => ({ o: o++, e: { id: `old:${date}:${i}`, host: `old${i % 10}`, time: `${date}T12:00:00.000Z`, timeText: 'x', kind: 'failed' as const, program: 'sshd', pid: i, count: 1, sourceIp: `192.0.2.${i % 250}` } }));
        for (let i = 0; i < events.length; i += 500) await database.db!.collection(SSH_COLLECTIONS.raw(date)).insertOne(rawBundle(`0:${i}:${date}`, 0, events.slice(i, i + 500)) as never);
        const days = Array.from({ length: 10 }, (_, h) => ({ _id: `old${h}|${date}`, host: `old${h}`, date, accepted: 0, failed: rawPerDay / 10, invalidUser: 0, sessions: rawPerDay / 10, sources: 25, sourceSet: '[]', attempts: '[]' }));
        await database.db!.collection(SSH_COLLECTIONS.days(date)).insertMany(days as never[]);
      }
      return new SshEventStore(database, { timeZone: 'UTC', retentionDays: 90 });
    }
    const batch = (day: string, first: number): OffsetEvent[] =>
      generatedSshLog({ hosts: ['new'], start: Date.parse(`${day}T00:00:00Z`), days: 1, sessionsPerDay: 300, rnd: seededRandom(3), pidRange: 500 }).map((value, i) => ({
        offset: String(first + i),
        value: { ...value, id: `${day}:${value.id}` },
      }));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    /** Three batches, each on a new day by a store just started (nothing cached): the median cost of each part. */
    const cost = async (store: SshEventStore) => {
      const batchMs: number[] = [];
      const pruneMs: number[] = [];
      let applied = 0;
      for (const [k, day] of ['2026-09-17', '2026-09-18', '2026-09-19'].entries()) {
        store.forget();
        await store.init();
        const t0 = performance.now();
        applied += (await store.applyBatch({ topic: 't', partition: 0 }, batch(day, k * 10_000))).applied.length;
        const t1 = performance.now();
        await store.prune(now);
        pruneMs.push(performance.now() - t1);
        batchMs.push(t1 - t0);
      }
      return { applied, batchMs: median(batchMs), pruneMs: median(pruneMs) };
    };
    const small = await cost(await seed('h1', 1000));
    const large = await cost(await seed('h10', 10_000));
    logger.info({ small, large }, 'costs');
    process.stdout.write(`ssh store cost 1x: ${JSON.stringify(small)}  10x: ${JSON.stringify(large)}\n`);
    expect(large.applied).toBe(small.applied);
    // Within noise: a scan of the history would make the 10x figure about ten times the 1x one.
    expect(large.batchMs).toBeLessThan(small.batchMs * 2 + 200);
    expect(large.pruneMs).toBeLessThan(small.pruneMs * 2 + 200);
  }, 300_000);
});
