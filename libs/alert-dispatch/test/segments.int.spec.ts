import { dayOfBucket } from '@watchkeeper/alert-state';
import { pruneHistory } from '../src';
import { alert, startHarness, startSink, waitFor, type Harness } from './support';

/**
 * A consumed chunk's queue segments hold no alerts: the body is written once, in the chunk's history
 * bucket, and the segments are rebuilt from it when loaded (a restart, a new partition owner,
 * accounting). Here a recipient that always answers 503 keeps everything queued, so the segments stay
 * open and can be read back against the real MongoDB-wire server.
 */
describe('queue segments by reference to the history (real Kafka, MongoDB-wire server, HTTP sink)', () => {
  let h: Harness;
  const sink = startSink(() => ({ status: 503 }));

  beforeAll(async () => {
    h = await startHarness(
      'segments',
      `
recipients:
  sg-hook: { type: webhook, url: "${(await sink).url}", retry: { maxAttempts: 1000, baseDelay: 30s, maxDelay: 30s } }
pools:
  - { name: all, recipients: [sg-hook] }
`,
    );
  });

  /** How many of these batches are stored (each in the day collection its id names). */
  const stored = async (ids: string[]) => (await Promise.all(ids.map((id) => h.engine.history.batches(dayOfBucket(id)!).countDocuments({ _id: id })))).reduce((a, b) => a + b, 0);

  afterAll(async () => {
    await h?.stop();
    await (await sink).close();
  });

  it('writes each alert once, rebuilds queued items from the history, keeps referenced buckets on pruning, and refuses a segment whose history is gone', async () => {
    const alerts = Array.from({ length: 20 }, (_, i) =>
      alert({ entity: { kind: 'host', id: `seg-${i % 4}-${h.run}` }, labels: { rack: `r${i}` }, summary: `segment test #${i}`, description: `body ${i}` }),
    );
    await h.publish(alerts);
    const segs = () => h.engine.store.segments.find({ recipient: 'sg-hook' }).lean();
    // The chunk's history bucket is written side by side with its segments (ingest awaits both before
    // committing the offset), so segments can be visible before their bucket: wait for both.
    const written = async () => {
      const all = await segs();
      if (all.reduce((n, s) => n + s.count, 0) !== alerts.length) return false;
      const ids = [...new Set(all.map((d) => d.bucket!))];
      return (await stored(ids)) === ids.length;
    };
    await waitFor('segments and their history buckets written', written, 30_000);

    // The segments name their history bucket and carry no items.
    const docs = await segs();
    for (const d of docs) expect(d).toMatchObject({ ref: true, items: '' });
    const buckets = [...new Set(docs.map((d) => d.bucket!))];
    expect(buckets.every((b) => typeof b === 'string' && b.length > 0)).toBe(true);

    // Loaded back (as after a restart): the same notifications, whole.
    const byId = new Map(alerts.map((a) => [a.id, a]));
    const check = async () => {
      const { items } = await h.engine.store.open({ ids: docs.map((d) => d._id) });
      expect(items).toHaveLength(alerts.length);
      for (const i of items) {
        const a = byId.get(i.notification.alertId)!;
        expect(i.recipient).toBe('sg-hook');
        expect(i.notification).toMatchObject({ summary: a.summary, description: a.description, labels: a.labels, entity: a.entity, severity: a.severity, occurredAt: a.occurredAt });
        expect(i.source).toBe(`host/${a.entity.id}`);
      }
      expect(new Set(items.map((i) => i.notification.alertId)).size).toBe(alerts.length);
    };
    await check();

    // Retention: buckets that open segments refer to stay, whatever their age (their day is kept).
    await pruneHistory(h.engine, 0, new Date(Date.now() + 2 * 86_400_000));
    expect(await stored(buckets)).toBe(buckets.length);
    await check();

    // A bucket gone by hand: loading stops with the reason instead of a silently shorter queue.
    await h.engine.history.batches(dayOfBucket(buckets[0])!).deleteOne({ _id: buckets[0] });
    await expect(h.engine.store.open({ ids: docs.map((d) => d._id) })).rejects.toThrow(/history bucket/);
  }, 90_000);
});
