import { ErrorBody, HostHealthList, PingResponse, TokenCreated, TokenList, Topics, type HostHealthSnapshot } from '@watchkeeper/contracts';
import { asAny, collect, markTopic, startReceiver, testKafka, uniq, type TestReceiver, type TopicMark } from './support';

// Every route and status of the token, ping and host-health API, against real MongoDB-wire and Kafka.
describe('receiver API', () => {
  let r: TestReceiver;
  const kafka = testKafka();

  let mark: TopicMark;
  beforeAll(async () => {
    mark = await markTopic(kafka, Topics.hostHealth);
    r = await startReceiver();
  });
  afterAll(async () => {
    await r.stop();
  });

  const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });

  async function expectError(res: Response, status: number, code?: string): Promise<ErrorBody> {
    expect(res.status).toBe(status);
    const body = ErrorBody.parse(await res.json().then(asAny));
    if (code) expect(body.error).toBe(code);
    return body;
  }

  it('GET /v1/health answers without auth; / points to the docs', async () => {
    const res = await fetch(`${r.base}/v1/health`);
    expect(res.status).toBe(200);
    expect(await res.json().then(asAny)).toEqual({ status: 'ok' });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff'); // helmet
    expect(await (await fetch(`${r.base}/`)).json().then(asAny)).toMatchObject({ openapi: '/openapi.json', docs: '/docs' });
  });

  it('unknown routes are JSON 404s; another method on a declared path is a 405 naming the allowed ones', async () => {
    await expectError(await fetch(`${r.base}/v1/nothing-here`), 404, 'not-found');
    const patch = await fetch(`${r.base}/v1/health`, { method: 'PATCH' });
    expect(patch.headers.get('allow')).toBe('GET, HEAD');
    await expectError(patch, 405, 'method-not-allowed');
    // The hot route is mounted ahead of the API router: its path gets the same answer.
    const del = await fetch(`${r.base}/v1/host-health/some-host`, { method: 'DELETE', headers: r.admin });
    expect(del.headers.get('allow')).toBe('GET, HEAD, PUT');
    await expectError(del, 405, 'method-not-allowed');
  });

  it('serves the OpenAPI 3.1 document and the docs page from local assets', async () => {
    const doc = (await (await fetch(`${r.base}/openapi.json`)).json().then(asAny)) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/host-health/{host}', '/v1/artifacts/{host}/{name}', '/v1/ssh-logins/{host}/{date}']));
    const page = await fetch(`${r.base}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    const bundle = await fetch(`${r.base}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect((await fetch(`${r.base}/docs/init.js`)).status).toBe(200);
    await expectError(await fetch(`${r.base}/docs/assets/nope.js`), 404);
  });

  it('admin routes: 401 without or with a wrong token', async () => {
    await expectError(await fetch(`${r.base}/v1/host-health`), 401, 'unauthorized');
    await expectError(await fetch(`${r.base}/v1/host-health`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } }), 401);
    await expectError(await fetch(`${r.base}/v1/host-health`, { headers: { authorization: 'Basic abc' } }), 401);
    const res = await fetch(`${r.base}/v1/host-health`, { headers: r.admin });
    expect(res.status).toBe(200);
  });

  it('host tokens: created and shown once, stored hashed, two at a time, revocable; a host token writes only its host', async () => {
    const host = uniq('tok');
    const create = async () => fetch(`${r.base}/v1/hosts/${host}/tokens`, { method: 'POST', headers: json(r.admin), body: JSON.stringify({ label: 'first' }) });
    const res1 = await create();
    expect(res1.status).toBe(201);
    const t1 = TokenCreated.parse(await res1.json().then(asAny));
    // No body at all means the defaults (no label).
    const res2 = await fetch(`${r.base}/v1/hosts/${host}/tokens`, { method: 'POST', headers: r.admin });
    expect(res2.status).toBe(201);
    const t2 = TokenCreated.parse(await res2.json().then(asAny));
    expect(t2.label).toBeUndefined();
    await expectError(await create(), 409, 'too-many-tokens');

    // Only hashes are stored: the secret is nowhere in the database.
    const stored = await r.svc.parts.conn.collection('host_tokens').find({ host }).toArray();
    expect(stored).toHaveLength(2);
    expect(JSON.stringify(stored)).not.toContain(t1.token.split('_')[2]);

    const ping = async (token: string) => fetch(`${r.base}/v1/ping`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    for (const t of [t1, t2]) {
      const p = await ping(t.token);
      expect(p.status).toBe(200);
      expect(PingResponse.parse(await p.json().then(asAny))).toMatchObject({ host, schemaVersion: '1' });
    }

    // Rotation: revoke the old one; it stops working at once, the new one keeps working, a third can be made.
    const rev = await fetch(`${r.base}/v1/hosts/${host}/tokens/${t1.tokenId}`, { method: 'DELETE', headers: r.admin });
    expect(rev.status).toBe(200);
    expect((await rev.json().then(asAny)).revokedAt).toBeDefined();
    await expectError(await ping(t1.token), 401);
    expect((await ping(t2.token)).status).toBe(200);
    expect((await create()).status).toBe(201);
    const list = TokenList.parse(await (await fetch(`${r.base}/v1/hosts/${host}/tokens`, { headers: r.admin })).json().then(asAny));
    expect(list.tokens.map((t) => Boolean(t.revokedAt))).toEqual([true, false, false]);
    expect(JSON.stringify(list)).not.toContain(t2.token);

    await expectError(await fetch(`${r.base}/v1/hosts/${host}/tokens/${'z'.repeat(16)}`, { method: 'DELETE', headers: r.admin }), 404);
    await expectError(await fetch(`${r.base}/v1/hosts/${host}/tokens/BAD`, { method: 'DELETE', headers: r.admin }), 400, 'validation-failed');
    // Another host's token may not write here; a host token is no admin token.
    const other = await r.hostAuth(uniq('other'));
    await expectError(await fetch(`${r.base}/v1/host-health/${host}`, { method: 'PUT', headers: json(other), body: '{}' }), 403, 'forbidden');
    await expectError(await fetch(`${r.base}/v1/hosts/${host}/tokens`, { headers: other }), 401);
    // A malformed or unknown host token.
    await expectError(await ping('wk_aaaaaaaaaaaaaaaa_' + 'A'.repeat(43)), 401);
    await expectError(await ping(`${t2.token.slice(0, -1)}${t2.token.endsWith('A') ? 'B' : 'A'}`), 401);
    await expectError(await fetch(`${r.base}/v1/ping`, { method: 'POST' }), 401);
  });

  it('PUT /v1/host-health/:host stores the latest snapshot with the receiver time and publishes it', async () => {
    const host = uniq('hh');
    const auth = await r.hostAuth(host);
    const before = Date.now();
    const put = async (report: unknown) => fetch(`${r.base}/v1/host-health/${host}`, { method: 'PUT', headers: json(auth), body: JSON.stringify(report) });
    const res = await put({ disk: { '/': 0.4 }, 'key.with.dots': true, $odd: 1, round: 1 });
    expect(res.status).toBe(200);
    const ack = await res.json().then(asAny);
    expect(ack.host).toBe(host);
    expect(Date.parse(ack.receivedAt)).toBeGreaterThanOrEqual(before - 1);
    expect((await put({ round: 2, receivedAt: '1999-01-01T00:00:00Z' })).status).toBe(200);

    const all = HostHealthList.parse(await (await fetch(`${r.base}/v1/host-health`, { headers: r.admin })).json().then(asAny));
    const mine = all.hosts.filter((h) => h.host === host);
    expect(mine).toHaveLength(1);
    expect(mine[0].report).toEqual({ round: 2, receivedAt: '1999-01-01T00:00:00Z' });
    expect(Date.parse(mine[0].receivedAt)).toBeGreaterThanOrEqual(before - 1);
    const one = await (await fetch(`${r.base}/v1/host-health/${host}`, { headers: r.admin })).json().then(asAny);
    expect(one.report.round).toBe(2);
    await expectError(await fetch(`${r.base}/v1/host-health/${uniq('never')}`, { headers: r.admin }), 404);

    const events = await collect<HostHealthSnapshot>(kafka, Topics.hostHealth, mark, (v) => v.host === host, 2);
    expect(events.map((e) => e.value.report.round)).toEqual([1, 2]);
    expect(events[0].value.report).toEqual({ disk: { '/': 0.4 }, 'key.with.dots': true, $odd: 1, round: 1 });
    expect(events[0].headers.ce_type).toBe(Topics.hostHealth.ceType);
  });

  it('host-health rejects bad bodies with 4xx and stores nothing', async () => {
    const host = uniq('bad');
    const auth = await r.hostAuth(host);
    const url = `${r.base}/v1/host-health/${host}`;
    await expectError(await fetch(url, { method: 'PUT', headers: json(auth), body: '{"a":' }), 400, 'malformed-json');
    await expectError(await fetch(url, { method: 'PUT', headers: json(auth), body: '[1,2]' }), 400, 'validation-failed');
    await expectError(await fetch(url, { method: 'PUT', headers: json(auth), body: '"x"' }), 400, 'validation-failed');
    await expectError(await fetch(url, { method: 'PUT', headers: json(auth) }), 400, 'missing-body');
    await expectError(await fetch(url, { method: 'PUT', headers: { ...auth, 'content-type': 'text/plain' }, body: '{}' }), 415, 'unsupported-media-type');
    await expectError(await fetch(url, { method: 'PUT', headers: json(auth), body: JSON.stringify({ blob: 'x'.repeat(1024 * 1024 + 10) }) }), 413, 'payload-too-large');
    await expectError(await fetch(`${r.base}/v1/host-health/..%2F..%2Fetc`, { method: 'PUT', headers: json(auth), body: '{}' }), 403);
    const badHostAuth = await fetch(`${r.base}/v1/hosts/bad%20host/tokens`, { method: 'POST', headers: json(r.admin), body: '{}' });
    await expectError(badHostAuth, 400, 'validation-failed');
    await expectError(await fetch(`${r.base}/v1/hosts/${host}/tokens`, { method: 'POST', headers: json(r.admin), body: '{"label":5}' }), 400);
    await expectError(await fetch(`${r.base}/v1/hosts/${host}/tokens`, { method: 'POST', headers: json(r.admin), body: '{"extra":1}' }), 400);
    expect(await r.svc.parts.conn.collection('host_health').countDocuments({ _id: host as never })).toBe(0);
  });

  it('/readyz reports MongoDB and the outbox; /metrics is Prometheus text', async () => {
    const ready = await fetch(`${r.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json().then(asAny)).toMatchObject({ status: 'ready', checks: { mongodb: { ok: true } } });
    const m = await (await fetch(`${r.base}/metrics`)).text();
    expect(m).toContain('watchkeeper_outbox_pending');
  });
});
