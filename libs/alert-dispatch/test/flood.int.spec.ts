import { alertFingerprint, Topics } from '@watchkeeper/contracts';
import { EventProducer } from '@watchkeeper/kafka';
import { alert, collectOutcomes, partitionOf, startHarness, startSink, waitFor, type Harness } from './support';

/**
 * One entity emits 100,000 alerts while another emits 10. The quiet alerts must be dispatched within
 * their normal latency (measured first, without the flood), and every flood alert must be accounted
 * for: delivered (seen by the sink) + dropped (counted per cause) = 100,000, exactly.
 */
// Runs in `npm test` (~40 s here). History on this shared 2-core machine: it was quarantined behind
// WK_FLOOD_TEST=1 while 4 of 12 runs, then 1 of 4, missed a time bound (quiet dispatch under flood
// 0.8–2.6 s, flood recorded in 30–66 s, one run past the 150 s bound). With chunks of 1,000, the send
// window and (all but the first two runs) segments by reference (phase 3 of #6, 2026-11-25
// 20:30–21:18, load 1–5): 9 of 9 runs passed, quiet dispatch under flood worst 0.8–3.0 s (alone
// 21–123 ms; bound: alone + 5 s), flood recorded in 23–36 s (bound 150 s), whole test 37–48 s.
// See libs/delivery-queue/README.md.
describe('flood: a noisy entity cannot starve a quiet one, and its drops are counted exactly', () => {
  const FLOOD = 100_000;
  const QUIET = 10;
  let h: Harness;
  let sink: Awaited<ReturnType<typeof startSink>>;

  beforeAll(async () => {
    sink = await startSink();
    h = await startHarness(
      'flood',
      `
recipients:
  fl-hook:
    type: webhook
    url: "${sink.url}"
    capacity: 2000
    perSourceQuota: 500
    maxDigest: 200
    rateLimit: { max: 20, per: 1s }
pools:
  - name: all
    recipients: [fl-hook]
`,
      { partitionsConsumedConcurrently: 6 },
    );
  });

  afterAll(async () => {
    await h?.stop();
    await sink?.close();
  });

  it('delivers the quiet alerts promptly and accounts for every flood alert', async () => {
    const run = h.run;
    const floodEntity = { kind: 'host', id: `noisy-${run}` };
    const quietEntity = { kind: 'host', id: `quiet-${run}` };
    // The flood is one entity raising five alert types (spread over five partitions, consumed in
    // parallel). Kafka keeps each partition in order, so fairness between entities starts at the
    // partition: the flood's types are picked to leave the quiet entity's partition alone, as the
    // key hash does for most pairs of entities. Inside the dispatcher they share one queue and recipient.
    const P = Topics.alerts.partitions;
    const quietPartition = partitionOf(alertFingerprint({ type: 'quiet-check', entity: quietEntity, labels: {} }), P);
    const floodTypes: string[] = [];
    const used = new Set<number>();
    for (let t = 0; floodTypes.length < 5 && t < 1000; t++) {
      const p = partitionOf(alertFingerprint({ type: `flood-${t}`, entity: floodEntity, labels: {} }), P);
      if (p === quietPartition || used.has(p)) continue;
      used.add(p);
      floodTypes.push(`flood-${t}`);
    }
    const latency = (id: string, created: number) => {
      const req = sink.requests.find((r) => r.body.notifications.some((n: { alertId: string }) => n.alertId === id));
      return req ? req.at - created : undefined;
    };

    // Warm-up (connections, JIT): the harness waited for the group to be positioned, so this alert is consumed.
    const w = alert({ entity: quietEntity, type: 'quiet-check' });
    await h.publish([w]);
    await waitFor('warm-up delivery', () => latency(w.id, 0), 30_000);

    // Normal latency: quiet alerts alone, end to end and from receipt to delivery (dispatch).
    const dispatchOf = async (id: string) => {
      const d = (await h.engine.store.list({ alertId: id, outcome: 'delivered', limit: 1, since: new Date(Date.now() - 600_000) }))[0];
      return d ? Date.parse(d.at!) - Date.parse(d.receivedAt) : undefined;
    };
    const baseline: number[] = [];
    const baselineDispatch: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = alert({ entity: quietEntity, type: 'quiet-check' });
      const created = Date.now();
      await h.publish([a]);
      baseline.push(await waitFor('baseline delivery', () => latency(a.id, created), 60_000));
      baselineDispatch.push(await waitFor('baseline logged', () => dispatchOf(a.id).then((x) => (x === undefined ? undefined : x + 1)), 10_000) - 1);
    }
    const normal = Math.max(...baseline);
    const normalDispatch = Math.max(...baselineDispatch);

    const outcomes = await collectOutcomes(h.kafka, 'fl-');
    // The quiet entity is another service with its own producer (the flood must not queue it up client-side).
    const quietProducer = new EventProducer(h.kafka, 'test/quiet');
    await quietProducer.connect();
    const from = new Date();
    const floodAlerts = Array.from({ length: FLOOD }, (_, i) => alert({ entity: floodEntity, type: floodTypes[i % floodTypes.length], severity: 'warning', summary: `flood #${i}` }));
    const quiet = Array.from({ length: QUIET }, () => alert({ entity: quietEntity, type: 'quiet-check' }));
    const created = new Map<string, number>();
    const floodStart = Date.now();
    const flooding = h.publish(floodAlerts).then(() => console.log(`flood produced in ${Date.now() - floodStart} ms`));
    for (const q of quiet) {
      await new Promise((r) => setTimeout(r, 250));
      created.set(q.id, Date.now());
      await quietProducer.publish(Topics.alerts, q, { id: q.id });
    }
    await flooding;
    await quietProducer.disconnect();
    const quietLatencies = await waitFor('all quiet alerts delivered', () => {
      const l = quiet.map((q) => latency(q.id, created.get(q.id)!));
      return l.every((x) => x !== undefined) ? (l as number[]) : undefined;
      // Only a wait: end to end is bounded by the flood's own ingest (asserted below), so it gets the
      // same allowance as "all flood alerts recorded". 60 s was too short at load 5 (flood produced in 9.4 s).
    }, 150_000);

    // Dispatch latency (receipt → delivery) is what the dispatcher's queues decide; end to end adds
    // the Kafka consumer's lag, which a 100,000-alert burst raises for every partition alike.
    const dispatch: number[] = [];
    for (const q of quiet) dispatch.push((await waitFor('quiet delivery logged', () => dispatchOf(q.id).then((x) => (x === undefined ? undefined : x + 1)), 10_000)) - 1);
    // Everything received, then the queue drains.
    await waitFor('all flood alerts recorded', async () => (await h.engine.history.fanoutCounts(from, new Date())).alerts === FLOOD + QUIET, 150_000, 500);
    const floodRecorded = Date.now() - floodStart;
    console.log(`flood recorded after ${floodRecorded} ms`);
    await waitFor('queue drained', async () => (await h.engine.store.depth('fl-hook')) === 0, 60_000, 200);
    const floodSpan = Date.now() - floodStart;

    const delivered = sink.alertIds();
    expect(new Set(delivered).size).toBe(delivered.length); // nothing delivered twice
    const floodIds = new Set(floodAlerts.map((a) => a.id));
    const floodDelivered = delivered.filter((id) => floodIds.has(id)).length;
    const expectedDrops = FLOOD - floodDelivered;
    expect(expectedDrops).toBeGreaterThan(0);

    const acc = await (await import('../src')).computeAccounting(h.engine.history, h.engine.store, from, new Date());
    expect(acc).toMatchObject({ alerts: FLOOD + QUIET, received: FLOOD + QUIET, delivered: floodDelivered + QUIET, dropped: expectedDrops, queued: 0, deadLettered: 0, silenced: 0, balanced: true });
    console.log(`flood drops by cause: ${JSON.stringify(acc.byRecipient['fl-hook'].droppedByCause)}`);
    expect(acc.byRecipient['fl-hook'].droppedByCause['source-quota']).toBe(expectedDrops);

    // The same drops on the notifications topic and in /metrics.
    await waitFor('every drop published', () => outcomes.outcomes.filter((o) => o.outcome === 'dropped').length >= expectedDrops, 60_000, 200);
    const dropIds = new Set(outcomes.outcomes.filter((o) => o.outcome === 'dropped').map((o) => o.alertId));
    expect(dropIds.size).toBe(expectedDrops);
    for (const q of quiet) expect(dropIds.has(q.id)).toBe(false);
    const metric = await h.registry.getSingleMetric('watchkeeper_alert_dispatcher_notifications_dropped_total')!.get();
    // Every configured recipient has a series per cause from the start (zeros): the flood's drops are their sum.
    const hookDrops = metric.values.filter((v) => v.labels.recipient === 'fl-hook');
    expect(hookDrops.length).toBeGreaterThan(1);
    expect(hookDrops.reduce((n, v) => n + v.value, 0)).toBe(expectedDrops);
    await outcomes.stop();

    // The quiet alerts' dispatch (receipt → delivery, what the dispatcher's queues decide) is not queued
    // behind the flood: round-robin puts each at the head of the next digest (RecipientQueue spec).
    // What remains is the cycle of the digest in hand (its outcomes published, its log written), which
    // under flood shares this process's event loop and FerretDB's single SQLite writer with the
    // flood's ingest (and, here, with the test's own producer and outcome collector): measured
    // 0.8–2.6 s against 30–140 ms alone on this 2-core machine at load 1–8, so the allowance is 5 s.
    // End to end adds the consumer's lag: kafkajs fetches all of a member's
    // partitions together and ingests the flood's chunks of the same fetch first, so that part is only
    // bounded by the flood's own ingest time. Both are reported (see the delivery-queue README).
    const worst = Math.max(...dispatch);
    const worstEndToEnd = Math.max(...quietLatencies);
    console.log(
      `flood: normal quiet latency ${normal} ms (dispatch ${normalDispatch} ms); under flood: dispatch worst ${worst} ms, end-to-end worst ${worstEndToEnd} ms; flood recorded in ${floodRecorded} ms, drained in ${floodSpan} ms; flood delivered ${floodDelivered}, dropped ${expectedDrops}`,
    );
    expect(worst).toBeLessThanOrEqual(normalDispatch + 5000);
    expect(worstEndToEnd).toBeLessThan(floodRecorded);
  }, 420_000);
});
