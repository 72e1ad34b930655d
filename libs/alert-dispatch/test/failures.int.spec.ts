import { computeAccounting } from '../src';
import { alert, startHarness, startSink, waitFor, type Harness } from './support';

/**
 * Failing recipients: a webhook that answers 500 for a while (a few seconds here, a minute in the
 * issue: the window is a parameter), then 200, loses nothing and does not delay the other recipient;
 * 429 with Retry-After is honoured; exhausted retries go to the fallback or the dead letter, and the
 * dead letter can be replayed.
 */
describe('failing recipients (real HTTP sinks, Kafka, MongoDB-wire server)', () => {
  const OUTAGE_MS = Number(process.env.WK_TEST_OUTAGE_MS ?? 4000);
  let h: Harness;
  let outageUntil = 0;
  let retryAfterPending = false;
  let alwaysFail = true;
  const flaky = startSink(() => (Date.now() < outageUntil ? { status: 500 } : { status: 200 }));
  const healthy = startSink();
  const limited = startSink(() => {
    if (retryAfterPending) {
      retryAfterPending = false;
      return { status: 429, headers: { 'retry-after': '2' } };
    }
    return { status: 200 };
  });
  const broken = startSink(() => (alwaysFail ? { status: 503 } : { status: 200 }));
  const backup = startSink();
  const limitedHits: number[] = [];

  beforeAll(async () => {
    const [f, ok, l, b, bk] = await Promise.all([flaky, healthy, limited, broken, backup]);
    h = await startHarness(
      'failures',
      `
defaults:
  retry: { maxAttempts: 40, baseDelay: 100ms, maxDelay: 500ms }
recipients:
  fx-flaky: { type: webhook, url: "${f.url}" }
  fx-healthy: { type: webhook, url: "${ok.url}" }
  fx-limited: { type: webhook, url: "${l.url}" }
  fx-broken: { type: webhook, url: "${b.url}", retry: { maxAttempts: 3, baseDelay: 50ms, maxDelay: 100ms } }
  fx-backup: { type: webhook, url: "${bk.url}" }
pools:
  - { name: outage, match: { labels: { case: outage } }, recipients: [fx-flaky, fx-healthy] }
  - { name: limited, match: { labels: { case: limited } }, recipients: [fx-limited] }
  - { name: broken, match: { labels: { case: broken } }, recipients: [fx-broken] }
  - { name: fallback, match: { labels: { case: fallback } }, recipients: [fx-broken], fallback: fx-backup }
`,
    );
  });

  afterAll(async () => {
    await h?.stop();
    for (const s of await Promise.all([flaky, healthy, limited, broken, backup])) await s.close();
  });

  it('a webhook failing with 500 for a while loses nothing; the other recipient is not delayed', async () => {
    const [f, ok] = await Promise.all([flaky, healthy]);
    const from = new Date();
    outageUntil = Date.now() + OUTAGE_MS;
    const alerts = Array.from({ length: 30 }, (_, i) => alert({ entity: { kind: 'host', id: `out-${i % 3}-${h.run}` }, labels: { case: 'outage' } }));
    const sentAt = Date.now();
    await h.publish(alerts);
    // The healthy recipient gets everything during the outage.
    await waitFor('healthy delivered all', () => alerts.every((a) => ok.alertIds().includes(a.id)), 10_000);
    const healthyDone = Math.max(...ok.requests.map((r) => r.at)) - sentAt;
    expect(healthyDone).toBeLessThan(OUTAGE_MS);
    expect(f.alertIds()).toEqual([]);
    // After the outage the flaky one gets every alert, once.
    await waitFor('flaky delivered all', () => alerts.every((a) => f.alertIds().includes(a.id)), OUTAGE_MS + 15_000);
    expect(f.alertIds().length).toBe(alerts.length);
    expect(Math.min(...f.requests.map((r) => r.at))).toBeGreaterThanOrEqual(outageUntil);
    // The sink answers before the digest is logged: accounting is exact once that log is written.
    const acc = await waitFor('flaky digests logged', async () => {
      const a = await computeAccounting(h.engine.history, h.engine.store, from, new Date());
      return a.byRecipient['fx-flaky']?.delivered === 30 ? a : undefined;
    }, 5_000, 100);
    expect(acc.byRecipient['fx-flaky']).toMatchObject({ received: 30, delivered: 30, deadLettered: 0, dropped: 0, queued: 0 });
    expect(acc.balanced).toBe(true);
  });

  it('honours Retry-After on 429', async () => {
    const l = await limited;
    retryAfterPending = true;
    const a = alert({ entity: { kind: 'host', id: `lim-${h.run}` }, labels: { case: 'limited' } });
    const t0 = Date.now();
    await h.publish([a]);
    await waitFor('delivered after the 429', () => l.alertIds().includes(a.id), 15_000);
    limitedHits.push(l.requests[0].at - t0);
    expect(l.requests[0].at - t0).toBeGreaterThanOrEqual(2000);
    const d = await waitFor('logged as delivered', async () => (await h.engine.store.list({ alertId: a.id, outcome: 'delivered', limit: 5, since: new Date(t0 - 1000) }))[0]);
    expect(d).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('dead-letters after the last attempt, replays on request, and hands over to a fallback', async () => {
    const [b, bk] = await Promise.all([broken, backup]);
    const from = new Date();
    const dead = alert({ entity: { kind: 'host', id: `dead-${h.run}` }, labels: { case: 'broken' } });
    const viaFallback = alert({ entity: { kind: 'host', id: `fb-${h.run}` }, labels: { case: 'fallback' } });
    await h.publish([dead, viaFallback]);
    await waitFor('fallback delivered', () => bk.alertIds().includes(viaFallback.id), 15_000);
    const letters = await waitFor('dead letter', async () => {
      const l = await h.engine.store.list({ outcome: 'dead_lettered', recipient: 'fx-broken', limit: 10, since: from });
      return l.find((x) => x.alertId === dead.id);
    }, 15_000);
    expect(letters).toMatchObject({ state: 'dead_lettered', cause: 'http-503', attempts: 3 });
    // A sink answers before the digest is logged: wait for the log, then the books are exact at rest.
    // Accounting reads several collections without a transaction (app README): a read that lands
    // between a digest log and the coalesced settle write that deletes the settled segments was seen
    // off by that one item (2 of ~20 runs), exact a moment later. So: the same answer twice, 100 ms apart.
    const accountingWhen = (ok: (c: { delivered: number }) => boolean) => {
      let previous = '';
      return waitFor('digest logged, books at rest', async () => {
        const a = await computeAccounting(h.engine.history, h.engine.store, from, new Date());
        const key = JSON.stringify([a.byRecipient, a.balanced]); // not `to`: it moves with the clock
        const atRest = key === previous;
        previous = key;
        return a.byRecipient['fx-broken'] && ok(a.byRecipient['fx-broken']) && atRest ? a : undefined;
      }, 5_000, 100);
    };
    let acc = await accountingWhen((c) => c.delivered === 1);
    expect(acc.byRecipient['fx-broken']).toMatchObject({ received: 2, deadLettered: 1, delivered: 1 }); // one through its fallback
    expect(acc.balanced).toBe(true);

    alwaysFail = false;
    expect(await h.engine.replayDeadLetters({ recipient: 'fx-broken' })).toBe(1);
    await waitFor('replayed delivery', () => b.alertIds().includes(dead.id), 15_000);
    acc = await accountingWhen((c) => c.delivered === 2);
    expect(acc.byRecipient['fx-broken']).toMatchObject({ received: 2, deadLettered: 0, delivered: 2, queued: 0 });
  });
});
