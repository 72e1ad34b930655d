import { Topics } from '@watchkeeper/contracts';
import { alert, startHarness, startSink, waitFor, type Harness } from './support';

/**
 * Two dispatcher instances in one consumer group over one database: partition ownership splits the
 * work (each sends the queues of the partitions it is assigned), nothing is notified twice, and when
 * one leaves the other takes over its partitions.
 */
describe('several instances in one consumer group', () => {
  let a: Harness;
  let b: Harness | undefined;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const routing = (url: string) => `
recipients:
  mi-hook: { type: webhook, url: "${url}", maxDigest: 20 }
pools:
  - name: all
    recipients: [mi-hook]
`;
  const delivered = async (h: Harness) => {
    const m = await h.registry.getSingleMetric('watchkeeper_alert_dispatcher_notifications_total')!.get();
    return m.values.filter((v) => v.labels.outcome === 'delivered').reduce((n, v) => n + v.value, 0);
  };

  beforeAll(async () => {
    sink = await startSink();
    a = await startHarness('instances', routing(sink.url));
    b = await startHarness('instances', routing(sink.url), {}, { run: a.run });
    // Both members positioned and the rebalance done on both sides: the partitions split between them.
    await waitFor('work split', () => {
      const [pa, pb] = [a.engine.ownedPartitions, b!.engine.ownedPartitions];
      return a.engine.consuming && b!.engine.consuming && pa.length > 0 && pb.length > 0 && pa.length + pb.length === Topics.alerts.partitions && pa.every((p) => !pb.includes(p));
    }, 30_000);
  });

  afterAll(async () => {
    await b?.stop({ keepDb: true });
    await a?.stop();
    await sink?.close();
  });

  it('splits the partitions, sends each alert once, and hands over when an instance leaves', async () => {
    const first = Array.from({ length: 60 }, (_, i) => alert({ entity: { kind: 'host', id: `mi-${i}-${a.run}` } }));
    await a.publish(first);
    await waitFor('first alerts delivered', () => first.every((x) => sink.alertIds().includes(x.id)), 30_000, 100);
    // A delivered digest is recorded (outcomes published, then counted) behind the next sends (the
    // send window): the counters may trail the sink, by as long as a publish takes under load.
    await waitFor('deliveries recorded', async () => (await delivered(a)) + (await delivered(b!)) >= first.length, 30_000, 100);
    await new Promise((r) => setTimeout(r, 1000)); // room for a duplicate to show up
    const ids = sink.alertIds();
    expect(ids.length).toBe(new Set(ids).size);
    const [byA, byB] = [await delivered(a), await delivered(b!)];
    console.log(`instances: A owns ${a.engine.ownedPartitions.join(',')} and delivered ${byA}; B owns ${b!.engine.ownedPartitions.join(',')} and delivered ${byB}; sink ${ids.length}`);
    expect(byA + byB).toBe(60);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);

    await b!.stop({ keepDb: true });
    b = undefined;
    const second = Array.from({ length: 30 }, (_, i) => alert({ entity: { kind: 'host', id: `mi2-${i}-${a.run}` } }));
    // Published at once: the partitions B owned resume at B's committed offsets once A is assigned them.
    await a.publish(second);
    await waitFor('second alerts delivered by the remaining instance', () => second.every((x) => sink.alertIds().includes(x.id)), 60_000, 100);
    const all = sink.alertIds();
    expect(all.length).toBe(new Set(all).size);
    expect(all.length).toBe(90);
  }, 120_000);
});
