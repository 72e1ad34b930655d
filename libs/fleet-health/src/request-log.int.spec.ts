import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { connectMongo, ensureIndexes } from '@watchkeeper/mongo';
import { createLogger } from '@watchkeeper/runtime';
import { RequestLog } from './request-log';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Real MongoDB-wire server: the per-minute request counts are flushed a period after the first count,
// and no flush timer runs while nothing was counted (an idle receiver wakes for nothing).
describe('RequestLog', () => {
  const logger = createLogger({ service: 'request-log-test', level: 'silent' });
  let conn: Connection;

  beforeAll(async () => {
    conn = await connectMongo({ url: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017', dbName: `wk_test_reqlog_${randomBytes(4).toString('hex')}`, logger });
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('arms its flush only when something was counted, writes the counts within flushMs, then disarms', async () => {
    const log = new RequestLog(conn, { flushMs: 200 });
    await ensureIndexes([log.model, log.hosts]);
    log.start();
    expect(log.armed).toBe(false);
    const at = new Date('2026-01-02T03:04:05Z');
    log.record({ host: 'h1', at, status: 200 });
    log.record({ host: 'h1', at, status: 404, upload: { stamped: false } });
    expect(log.armed).toBe(true);
    const t0 = Date.now();
    let doc: { requests?: number } | null = null;
    while (!doc && Date.now() - t0 < 5000) {
      await sleep(50);
      doc = await log.model.findById('h1|2026-01-02T03:04:00.000Z').lean();
    }
    expect(doc).toMatchObject({ requests: 2, clientErrors: 1, uploads: 1, unstampedUploads: 1 });
    expect(log.armed).toBe(false);
    log.record({ host: 'h1', at, status: 200 });
    await log.stop(); // flushes what is left, and no timer stays behind
    expect(log.armed).toBe(false);
    expect(await log.model.findById('h1|2026-01-02T03:04:00.000Z').lean()).toMatchObject({ requests: 3 });
  });
});
