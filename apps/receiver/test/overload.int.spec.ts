import { asAny, CuttableProxy, eventually, mongoTarget, startReceiver, uniq, type TestReceiver } from './support';

// A database that stops answering (not one that is gone: that is faults.int.spec.ts) and more requests
// than the receiver takes at once. The shared MongoDB-wire server is never touched: the receiver talks
// to it through a proxy the test can freeze.
describe('overload and a stuck database', () => {
  const proxy = new CuttableProxy(mongoTarget());
  let r: TestReceiver;
  const DB_TIMEOUT_MS = 1500;

  beforeAll(async () => {
    await proxy.open();
    r = await startReceiver({
      MONGO_URL: `mongodb://127.0.0.1:${proxy.port}`,
      RECEIVER_DB_TIMEOUT_MS: String(DB_TIMEOUT_MS),
      RECEIVER_MAX_IN_FLIGHT: '2',
      // Tokens stay verified: what hangs is the write, not the token lookup.
      TOKEN_CACHE_MS: '600000',
    });
  });
  afterAll(async () => {
    proxy.thaw();
    await r.stop();
    await proxy.cut();
  });

  const put = (host: string, auth: Record<string, string>, body: unknown) =>
    fetch(`${r.base}/v1/host-health/${host}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const metrics = () => fetch(`${r.base}/metrics`).then((res) => res.text());
  const shedCount = async () => Number(/watchkeeper_http_shed_total\{reason="in-flight"[^}]*\} (\d+)/.exec(await metrics())?.[1]);

  it('a stuck database: 503 + Retry-After after the DB timeout, not a hung request; beyond the in-flight limit 503 at once, nothing stored; recovers', async () => {
    const [a, b, c] = [uniq('stuck-a'), uniq('stuck-b'), uniq('stuck-c')];
    const auth = { a: await r.hostAuth(a), b: await r.hostAuth(b), c: await r.hostAuth(c) };
    expect((await put(a, auth.a, { n: 0 })).status).toBe(200);
    expect((await put(c, auth.c, { n: 0 })).status).toBe(200);
    const shedBefore = await shedCount();

    proxy.freeze();
    const t0 = Date.now();
    // Two writes take both places and hang on the database …
    const hanging = [put(a, auth.a, { n: 1 }), put(b, auth.b, { n: 1 })];
    await eventually(async () => r.svc.parts.shedder.inFlight === 2, 5000, 'two requests in flight');
    // … so a third is refused at once, before anything is read or stored.
    const t1 = Date.now();
    const refused = await put(c, auth.c, { n: 99 });
    expect(refused.status).toBe(503);
    expect(Date.now() - t1).toBeLessThan(500);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json().then(asAny)).toMatchObject({ error: 'overloaded', details: { reason: 'in-flight' } });
    // Liveness for hosts is never refused, even at the limit.
    expect(r.svc.parts.shedder.inFlight).toBe(2);
    expect((await fetch(`${r.base}/v1/health`)).status).toBe(200);
    expect(await shedCount()).toBe(shedBefore + 1);

    // The hanging ones end with 503 + Retry-After once the database timeout passes — not later.
    const answers = await Promise.all(hanging);
    const took = Date.now() - t0;
    expect(answers.map((x) => x.status)).toEqual([503, 503]);
    for (const x of answers) {
      expect(Number(x.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await x.json().then(asAny)).toMatchObject({ error: 'service-unavailable' });
    }
    expect(took).toBeGreaterThanOrEqual(DB_TIMEOUT_MS - 50);
    expect(took).toBeLessThan(DB_TIMEOUT_MS + 4000);
    // Reads too, and readiness says so instead of hanging.
    const t2 = Date.now();
    const list = await fetch(`${r.base}/v1/host-health`, { headers: r.admin });
    expect(list.status).toBe(503);
    expect(Number(list.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${r.base}/readyz`)).status).toBe(503);
    expect(Date.now() - t2).toBeLessThan(2 * DB_TIMEOUT_MS + 3000);
    // Liveness for hosts never waits for the database.
    expect((await fetch(`${r.base}/v1/health`)).status).toBe(200);

    proxy.thaw();
    const seen: string[] = [];
    await eventually(
      async () => {
        const res = await put(a, auth.a, { n: 2 });
        if (res.status !== 200) seen.push(`${res.status} ${await res.text()}`);
        return res.status === 200;
      },
      20_000,
      'writes after the database answers again',
    ).catch((err) => {
      throw new Error(`${(err as Error).message}; answers: ${seen.slice(-5).join(' | ')}`);
    });
    // The refused request left nothing: c still has its first report.
    const snapC = await (await fetch(`${r.base}/v1/host-health/${c}`, { headers: r.admin })).json().then(asAny);
    expect(snapC.report).toEqual({ n: 0 });
    const snapA = await (await fetch(`${r.base}/v1/host-health/${a}`, { headers: r.admin })).json().then(asAny);
    expect(snapA.report).toEqual({ n: 2 });
    expect((await fetch(`${r.base}/readyz`)).status).toBe(200);
  }, 60_000);
});
