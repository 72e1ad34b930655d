import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { ArtifactName, HostName, IsoDate } from '@watchkeeper/contracts';
import { ALLOWED_COMMIT, startReceiver, uniq, type TestReceiver } from './support';

/**
 * Generated bad requests at every route: each one carries at least one certain fault (no or a wrong
 * token, a bad path segment, a body of the wrong shape or encoding, a bad header or query). Every
 * answer must be a 4xx JSON error, and no data may change. (The request log of the fleet-health
 * monitor is meant to count refused requests, so it is not "data" here.)
 */
describe('fuzz: bad requests at every route', () => {
  let r: TestReceiver;
  let host: string;
  let hostAuth: Record<string, string>;
  // What the HTTP routes can write. (ssh_* collections are written only by the ssh-events consumer,
  // which other suites feed through the shared topic meanwhile.)
  const DATA = ['host_tokens', 'host_health', 'artifacts', 'outbox', 'fleet_alerts'];

  beforeAll(async () => {
    r = await startReceiver();
    host = uniq('fuzz');
    hostAuth = await r.hostAuth(host);
    // Something stored already, so "no change" is checked against real content.
    const body = 'existing';
    await fetch(`${r.base}/v1/artifacts/${host}/existing.txt`, { method: 'PUT', headers: { ...hostAuth, 'x-content-sha256': createHash('sha256').update(body).digest('hex') }, body });
    await fetch(`${r.base}/v1/host-health/${host}`, { method: 'PUT', headers: { ...hostAuth, 'content-type': 'application/json' }, body: '{"v":1}' });
    await r.svc.parts.outbox.drainOnce();
  });
  afterAll(async () => {
    await r.stop();
  });

  /** Per collection: document count and a digest of every document; plus the artifact files. */
  async function state(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const c of DATA) {
      const db = c === 'outbox' ? r.svc.parts.outbox.model.db : r.svc.parts.conn;
      const docs = await db.collection(c).find().sort({ _id: 1 }).toArray();
      out[c] = { count: docs.length, digest: createHash('sha256').update(JSON.stringify(docs)).digest('hex') };
    }
    out.files = fs.readdirSync(r.artifactDir, { recursive: true }).sort();
    return out;
  }

  const segment = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('..', '.', '...', '-x', 'x-', '_', 'a/b', 'a\\b', '%', '%2e%2e', '..%2f..%2fetc', 'a b', 'ä', '\u0000', 'x'.repeat(300), '😀', '.hidden', 'a..b', 'x.'),
  );
  const badHost = segment.filter((s) => !HostName.safeParse(s).success);
  const badName = segment.filter((s) => !ArtifactName.safeParse(s).success);
  // A dot segment ('..', '%2e%2e'…) is path syntax, not a token id: the URL parser removes it with the
  // segment before it, so `/v1/hosts/h/tokens/..` is a DELETE of /v1/hosts/h (retiring the host).
  const isDotSegment = (s: string) => ['.', '..'].includes(s.toLowerCase().replaceAll('%2e', '.'));
  const badTokenId = segment.filter((s) => !/^[a-z0-9]{16}$/.test(s) && !isDotSegment(s));
  const enc = (s: string) => (s.includes('%') ? s : encodeURIComponent(s));
  const garbageAuth = fc.oneof(
    fc.constant<Record<string, string>>({}),
    fc.string({ maxLength: 60 }).map((s) => ({ authorization: `Bearer ${s.replace(/[\r\n\0]/g, '')}` })),
    fc.constantFrom<Record<string, string>>({ authorization: 'Basic Zm9vOmJhcg==' }, { authorization: 'Bearer' }, { authorization: `Bearer wk_${'a'.repeat(16)}_${'b'.repeat(43)}` }),
  );
  const notAnObject = fc.oneof(
    fc.constantFrom('[', '{', '{"a":', 'nul', '{"a":1,}', "{'a':1}", '\u0000', '"x"', '1', 'null', 'true', '[]', '[1,{"a":2}]'),
    fc.oneof(fc.array(fc.jsonValue(), { maxLength: 5 }), fc.integer(), fc.string(), fc.constant(null)).map((v) => JSON.stringify(v)),
  );
  const badDate = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('2026-02-30', '2026-13-01', '26-01-01', '2026-1-1', '20260101', 'today')).filter((s) => !IsoDate.safeParse(s).success);

  const send = async (method: string, url: string, init: { headers?: Record<string, string>; body?: string } = {}) => {
    const res = await fetch(`${r.base}${url}`, { method, headers: init.headers, body: init.body });
    const text = await res.text();
    return { status: res.status, text };
  };
  const expect4xx = ({ status, text }: { status: number; text: string }, what: string) => {
    expect({ what, status: status >= 400 && status < 500 ? '4xx' : status }).toEqual({ what, status: '4xx' });
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    expect(typeof body.error).toBe('string');
    expect(typeof body.message).toBe('string');
  };

  it('every route answers 4xx and nothing stored changes', async () => {
    const before = await state();
    const routes: Array<fc.Arbitrary<() => Promise<void>>> = [
      // Host routes without a valid token.
      fc.tuple(garbageAuth, fc.constantFrom('/v1/ping', `/v1/host-health/${host}`, `/v1/artifacts/${host}/x.log`), fc.constantFrom('POST', 'PUT')).map(
        ([auth, url, method]) => async () => expect4xx(await send(method, url, { headers: { ...auth, 'content-type': 'application/json', 'x-content-sha256': 'a'.repeat(64) }, body: '{"ok":true}' }), `${method} ${url} unauthenticated`),
      ),
      // Host-health with a valid token but a body that is not a JSON object, or not JSON at all.
      fc.tuple(notAnObject, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16')).map(
        ([body, type]) => async () => expect4xx(await send('PUT', `/v1/host-health/${host}`, { headers: { ...hostAuth, 'content-type': type }, body }), `host-health body ${body} as ${type}`),
      ),
      // Host routes with a bad host segment (or another host).
      fc.tuple(fc.oneof(badHost, fc.constant(uniq('other'))), fc.constantFrom('host-health', 'artifacts')).map(
        ([seg, kind]) => async () =>
          expect4xx(
            await send('PUT', kind === 'artifacts' ? `/v1/artifacts/${enc(seg)}/a.log` : `/v1/host-health/${enc(seg)}`, { headers: { ...hostAuth, 'content-type': 'application/json', 'x-content-sha256': 'a'.repeat(64) }, body: '{}' }),
            `${kind} for host ${JSON.stringify(seg)}`,
          ),
      ),
      // Artifacts: bad names, bad or mismatching hashes, bad or unknown commits.
      fc.tuple(badName, fc.string({ maxLength: 200 })).map(
        ([name, body]) => async () => expect4xx(await send('PUT', `/v1/artifacts/${host}/${enc(name)}`, { headers: { ...hostAuth, 'x-content-sha256': createHash('sha256').update(body).digest('hex') }, body }), `artifact name ${JSON.stringify(name)}`),
      ),
      fc.tuple(fc.string({ maxLength: 200 }), fc.oneof(fc.string({ maxLength: 70 }), fc.constant('A'.repeat(64)), fc.constant('0'.repeat(64)))).map(
        ([body, sha]) => async () =>
          expect4xx(await send('PUT', `/v1/artifacts/${host}/${uniq('f')}.bin`, { headers: { ...hostAuth, 'x-content-sha256': sha.replace(/[\r\n\0]/g, '') }, body }), `artifact sha ${JSON.stringify(sha)}`),
      ),
      fc.tuple(fc.string({ maxLength: 50 }), fc.constantFrom('f'.repeat(40), ALLOWED_COMMIT.toUpperCase(), ALLOWED_COMMIT.slice(1), `${ALLOWED_COMMIT},${ALLOWED_COMMIT}`)).map(
        ([body, commit]) => async () =>
          expect4xx(
            await send('PUT', `/v1/artifacts/${host}/${uniq('g')}.bin`, { headers: { ...hostAuth, 'x-content-sha256': createHash('sha256').update(body).digest('hex'), 'x-code-commit': commit }, body }),
            `artifact commit ${commit}`,
          ),
      ),
      // Admin routes without the admin token (a host token is not one either).
      fc.tuple(fc.oneof(garbageAuth, fc.constant(hostAuth)), fc.constantFrom(['GET', '/v1/host-health'], ['GET', `/v1/host-health/${host}`], ['POST', `/v1/hosts/${host}/tokens`], ['GET', `/v1/hosts/${host}/tokens`], ['DELETE', `/v1/hosts/${host}/tokens/${'a'.repeat(16)}`], ['GET', `/v1/artifacts/${host}`], ['GET', '/v1/ssh-logins?date=2026-01-01'], ['GET', `/v1/ssh-logins/${host}/2026-01-01`], ['GET', '/v1/ssh-logins/range?from=2026-01-01&to=2026-01-02'], ['GET', '/v1/fleet-health'])).map(
        ([auth, [method, url]]) => async () => expect4xx(await send(method, url, { headers: { ...auth, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined }), `${method} ${url} without admin`),
      ),
      // Admin routes with bad params, queries and bodies.
      fc.tuple(badHost, badTokenId, badDate).map(([seg, tokenId, date]) => async () => {
        for (const [method, url, body] of [
          ['POST', `/v1/hosts/${enc(seg)}/tokens`, '{}'],
          ['GET', `/v1/hosts/${enc(seg)}/tokens`],
          ['DELETE', `/v1/hosts/${host}/tokens/${enc(tokenId)}`],
          ['GET', `/v1/ssh-logins/${host}/${enc(date)}`],
          ['GET', `/v1/ssh-logins/${enc(seg)}/2026-01-01`],
          ['GET', `/v1/ssh-logins?date=${enc(date)}`],
          ['GET', `/v1/ssh-logins/range?from=${enc(date)}&to=2026-01-01`],
          ['GET', `/v1/ssh-logins/range?from=2026-01-01&to=2026-01-02&host=${enc(seg)}`],
        ] as Array<[string, string, string?]>) {
          expect4xx(await send(method, url, { headers: { ...r.admin, 'content-type': 'application/json' }, body }), `${method} ${url}`);
        }
      }),
      fc.oneof(notAnObject, fc.jsonValue().filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).some((k) => k !== 'label')).map((v) => JSON.stringify(v)), fc.constant('{"label":5}')).map(
        (body) => async () => expect4xx(await send('POST', `/v1/hosts/${uniq('tk')}/tokens`, { headers: { ...r.admin, 'content-type': 'application/json' }, body }), `token body ${body}`),
      ),
      // Unknown routes and methods.
      fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), fc.webPath()).map(
        ([method, p]) => async () => expect4xx(await send(method, `/v2${p}`, { headers: r.admin }), `${method} /v2${p}`),
      ),
    ];
    await fc.assert(fc.asyncProperty(fc.oneof(...routes), async (request) => request()), { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? 20260601) });
    await r.svc.parts.outbox.drainOnce();
    expect(await state()).toEqual(before);
  }, 120_000);
});
