import { Topics, type HostHealthSnapshot } from '@watchkeeper/contracts';
import { asAny, collect, CuttableProxy, eventually, markTopic, mongoTarget, PrivateKafka, startReceiver, testKafka, uniq, type TestReceiver } from './support';

describe('MongoDB down', () => {
  const proxy = new CuttableProxy(mongoTarget());
  let r: TestReceiver;

  beforeAll(async () => {
    await proxy.open();
    r = await startReceiver({ MONGO_URL: `mongodb://127.0.0.1:${proxy.port}`, TOKEN_CACHE_MS: '0' });
  });
  afterAll(async () => {
    await proxy.open().catch(() => undefined);
    await r.stop();
    await proxy.cut();
  });

  it('answers 503 with Retry-After while the database is unreachable, and recovers when it is back', async () => {
    const host = uniq('mdown');
    const auth = await r.hostAuth(host);
    const put = () => fetch(`${r.base}/v1/host-health/${host}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: '{"n":1}' });
    expect((await put()).status).toBe(200);

    await proxy.cut();
    for (const res of [await put(), await fetch(`${r.base}/v1/host-health`, { headers: r.admin })]) {
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await res.json().then(asAny)).toMatchObject({ error: 'service-unavailable' });
    }
    expect((await fetch(`${r.base}/readyz`)).status).toBe(503);
    // What needs no database still answers as usual: admin auth and validation.
    expect((await fetch(`${r.base}/v1/ssh-logins?date=2026-02-30`, { headers: r.admin })).status).toBe(400);
    expect((await fetch(`${r.base}/v1/ssh-logins?date=2026-02-01`)).status).toBe(401);

    await proxy.open();
    await eventually(async () => (await put()).status === 200, 20_000, 'writes after MongoDB is back');
    expect((await fetch(`${r.base}/readyz`)).status).toBe(200);
  }, 60_000);
});

describe('Kafka down: the outbox keeps events until the broker is back', () => {
  const broker = new PrivateKafka();
  let r: TestReceiver;

  beforeAll(async () => {
    await broker.open();
    r = await startReceiver({ KAFKA_BROKERS: broker.brokers, RECEIVER_SSH_GROUP: uniq('wk-test-receiver-outbox') });
    // The topics exist once the receiver's background join succeeded.
    await r.svc.parts.sshJoined;
  }, 240_000);
  afterAll(async () => {
    await r?.stop();
    await broker.close();
  }, 120_000);

  it('stores and answers while Kafka is down, then publishes every waiting event, in order', async () => {
    const k = testKafka(broker.brokers);
    const mark = await markTopic(k, Topics.hostHealth);
    const host = uniq('kdown');
    const auth = await r.hostAuth(host);
    const put = (n: number) => fetch(`${r.base}/v1/host-health/${host}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
    expect((await put(0)).status).toBe(200);
    await eventually(async () => (await r.svc.parts.outbox.pending()) === 0, 30_000, 'first event published');

    await broker.stop();
    for (let n = 1; n <= 3; n++) expect((await put(n)).status).toBe(200);
    expect(await r.svc.parts.outbox.pending()).toBe(3);
    const snap = await (await fetch(`${r.base}/v1/host-health/${host}`, { headers: r.admin })).json().then(asAny);
    expect(snap.report).toEqual({ n: 3 });
    await eventually(async () => !r.svc.parts.outbox.isHealthy, 60_000, 'relay notices Kafka is down');
    expect(await r.svc.parts.outbox.pending()).toBe(3);

    await broker.start();
    await eventually(async () => (await r.svc.parts.outbox.pending()) === 0, 90_000, 'outbox drained after Kafka returned');
    const events = await collect<HostHealthSnapshot>(testKafka(broker.brokers), Topics.hostHealth, mark, (v) => v.host === host, 4);
    expect(events.map((e) => e.value.report.n)).toEqual([0, 1, 2, 3]);
  }, 240_000);
});
