import type { Connection } from 'mongoose';
import { parseRoutingConfig } from '@watchkeeper/alert-routing';
import { AlertHistoryStore, AlertStateStore, bucketId } from '@watchkeeper/alert-state';
import type { AlertEvent } from '@watchkeeper/contracts';
import { DeliveryStore, OccupancyBook } from '@watchkeeper/delivery-queue';
import type { ConsumedEvent } from '@watchkeeper/kafka';
import { connectMongo } from '@watchkeeper/mongo';
import { ingestBatch, RecentIds, type IngestDeps } from '../src';
import { alert, logger, MONGO_URL } from './support';

/**
 * A batch interrupted by a crash just before midnight (UTC) and redelivered after it: the redelivery
 * rewrites the batch in the day collection of its first attempt (its id is the pending one), reuses
 * its decisions, and nothing of it lands in the new day's batches. Real MongoDB-wire server; the crash
 * is a failing last write (states), after which the pending mark stays, as after a SIGKILL there.
 */
describe('a redelivery after midnight rewrites its batch in the first attempt’s day', () => {
  const GROUP = 'wk-test-redelivery-day';
  let conn: Connection;

  beforeAll(async () => {
    conn = await connectMongo({ url: MONGO_URL, dbName: `wk_test_redelivery_day_${Date.now().toString(36)}`, logger });
  });
  afterAll(async () => {
    await conn?.dropDatabase().catch(() => undefined);
    await conn?.close();
  });

  it('keeps the batch id and day, and the recorded decisions', async () => {
    const routing = parseRoutingConfig('recipients:\n  rd-hook: { type: webhook, url: "http://127.0.0.1:9/" }\npools:\n  - { name: all, recipients: [rd-hook] }\n', 'redelivery.yaml');
    const events: Array<ConsumedEvent<AlertEvent>> = Array.from({ length: 5 }, (_, i) => {
      const value = alert({ entity: { kind: 'host', id: `rd-${i}` }, action: 'trigger', type: 'disk-full' });
      return { value, key: null, headers: {}, topic: 'alerts', partition: 0, offset: String(100 + i), eventId: value.id };
    });
    const history = new AlertHistoryStore(conn);
    const store = new DeliveryStore(conn);
    const states = new AlertStateStore(conn);
    const deps = (at: string): IngestDeps => ({
      groupId: GROUP,
      states,
      history,
      store,
      occupancy: new OccupancyBook(),
      recentIds: new RecentIds(), // a new process: nothing remembered
      routing: () => routing,
      silences: () => [],
      clock: () => new Date(at),
    });

    const saveMany = states.saveMany.bind(states);
    states.saveMany = async () => {
      throw new Error('killed before the states were written');
    };
    await expect(ingestBatch(deps('2026-12-07T23:59:58Z'), events)).rejects.toThrow(/killed/);
    states.saveMany = saveMany;
    history.forgetProgress();

    const first = bucketId(GROUP, 0, '100', new Date('2026-12-07T23:59:58Z'));
    expect((await history.loadProgress(GROUP, 0)).pending?.bucketId).toBe(first);
    const result = await ingestBatch(deps('2026-12-08T00:00:03Z'), events);
    await result.done();

    expect(result.decisions.map((d) => d.reason)).toEqual(Array(5).fill('new'));
    expect(await history.loadProgress(GROUP, 0)).toMatchObject({ through: '104', pending: null });
    expect(await history.days('batches')).toEqual(['20261207']);
    const records = await history.loadBucket(first);
    expect(records.map((r) => r.eventId)).toEqual(events.map((e) => e.eventId));
    expect(new Set(records.map((r) => r.receivedAt.toISOString()))).toEqual(new Set(['2026-12-07T23:59:58.000Z']));
    expect((await store.segments.find({}).lean()).map((s) => s.bucket)).toEqual([first]);
    expect((await history.recent(100)).map((r) => r.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
  });
});
