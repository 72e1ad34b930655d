import { Topics, type HostHealthSnapshot } from '@watchkeeper/contracts';
import { asAny, collect, eventually, markTopic, PrivateKafka, startReceiver, testKafka, uniq, type TestReceiver } from './support';

// The receiver accepts no more than its relay can publish: with Kafka stopped (the suite's own
// broker), host-health writes fill the outbox up to RECEIVER_MAX_OUTBOX_BACKLOG and are then refused
// until the relay has published what waits.
describe('outbox backlog bound', () => {
  const BOUND = 20;
  const broker = new PrivateKafka();
  let r: TestReceiver;

  beforeAll(async () => {
    await broker.open();
    r = await startReceiver({ KAFKA_BROKERS: broker.brokers, RECEIVER_MAX_OUTBOX_BACKLOG: String(BOUND), TOKEN_CACHE_MS: '600000', RECEIVER_SSH_GROUP: uniq('wk-test-receiver-backlog') });
    await r.svc.parts.sshJoined; // the topics exist
  }, 240_000);
  afterAll(async () => {
    await r?.stop();
    await broker.close();
  }, 120_000);

  const shedCount = async (reason: string) => Number(new RegExp(`watchkeeper_http_shed_total\\{reason="${reason}"[^}]*\\} (\\d+)`).exec(await (await fetch(`${r.base}/metrics`)).text())?.[1]);

  it('refuses host-health writes with 503 + Retry-After from the bound on while Kafka is down, keeps answering reads, accepts again once the relay drained, and every accepted snapshot reaches Kafka', async () => {
    const outbox = r.svc.parts.outbox;
    const mark = await markTopic(testKafka(broker.brokers), Topics.hostHealth);
    const [a, b] = [uniq('backlog-a'), uniq('backlog-b')];
    const auth: Record<string, Record<string, string>> = { [a]: await r.hostAuth(a), [b]: await r.hostAuth(b) };
    const accepted: string[] = [];
    const put = async (host: string, n: number) => {
      const res = await fetch(`${r.base}/v1/host-health/${host}`, { method: 'PUT', headers: { ...auth[host], 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
      if (res.status === 200) accepted.push(`${host} ${n} ${(await res.json().then(asAny)).receivedAt}`);
      return res;
    };

    expect((await put(a, 0)).status).toBe(200);
    await eventually(async () => outbox.backlog === 0, 30_000, 'first snapshot published');
    const shedBefore = await shedCount('outbox-backlog');
    const otherShedBefore = await shedCount('queue-time');

    await broker.stop();
    // One write at a time, two hosts: the bound is on the outbox as a whole, not per host.
    let refused: Response | undefined;
    for (let n = 1; n <= BOUND + 5 && !refused; n++) {
      const res = await put(n % 2 ? a : b, n);
      if (res.status === 503) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused).toBeDefined();
    expect(accepted.length - 1).toBe(BOUND); // exactly the bound waits; the next one is refused
    expect(outbox.backlog).toBe(BOUND);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused!.json().then(asAny)).toMatchObject({ error: 'overloaded', details: { reason: 'outbox-backlog' } });
    for (const h of [a, b]) for (let i = 0; i < 3; i++) expect((await put(h, 1000 + i)).status).toBe(503);
    expect(await shedCount('outbox-backlog')).toBe(shedBefore + 7);
    expect(await shedCount('queue-time')).toBe(otherShedBefore);

    // Reads, the hosts' ping and the ops routes keep working; the newest accepted snapshot is shown.
    const lastOf = (host: string) => Number(accepted.filter((x) => x.startsWith(`${host} `)).at(-1)!.split(' ')[1]);
    const one = await fetch(`${r.base}/v1/host-health/${b}`, { headers: r.admin });
    expect(one.status).toBe(200);
    expect((await one.json().then(asAny)).report).toEqual({ n: lastOf(b) });
    const all = await fetch(`${r.base}/v1/host-health`, { headers: r.admin });
    expect(all.status).toBe(200);
    expect((await all.json().then(asAny)).hosts.map((s: { host: string }) => s.host)).toEqual(expect.arrayContaining([a, b]));
    expect((await fetch(`${r.base}/v1/ping`, { method: 'POST', headers: auth[a] })).status).toBe(200);
    for (const p of ['/v1/health', '/healthz', '/metrics']) expect((await fetch(`${r.base}${p}`)).status).toBe(200);

    // Still refused once the relay has noticed Kafka is gone: nothing was published, nothing added.
    await eventually(async () => !outbox.isHealthy, 60_000, 'relay notices Kafka is down');
    expect((await put(a, 2000)).status).toBe(503);
    expect(outbox.backlog).toBe(BOUND);

    await broker.start();
    await eventually(async () => outbox.backlog === 0, 90_000, 'outbox drained after Kafka returned');
    expect((await put(a, 3000)).status).toBe(200);
    expect((await put(b, 3001)).status).toBe(200);
    await eventually(async () => outbox.backlog === 0, 30_000, 'the new snapshots published');

    // Every accepted snapshot reached Kafka as it was accepted (host, report, the receiver's stamp).
    // At-least-once: the relay's catch-up re-reads its segments, so an entry published before the
    // outage may come again with the same event id; consumers are idempotent on it: counted once.
    const ids = new Set<string>();
    const firstTime = (v: HostHealthSnapshot, h: Record<string, string>) => (v.host === a || v.host === b) && !ids.has(h.ce_id) && ids.add(h.ce_id) !== undefined;
    const events = await collect<HostHealthSnapshot>(testKafka(broker.brokers), Topics.hostHealth, mark, firstTime, accepted.length);
    expect(events.map((e) => `${e.value.host} ${String(e.value.report.n)} ${e.value.receivedAt}`).sort()).toEqual([...accepted].sort());
    expect(accepted).toHaveLength(BOUND + 3);
  }, 300_000);
});
