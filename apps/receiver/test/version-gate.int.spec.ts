import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommitMissingBody, CommitNotAllowedBody, ErrorBody, FleetHealthResponse, VersionGateResponse } from '@watchkeeper/contracts';
import { asAny, startReceiver, uniq, type TestReceiver } from './support';

const sha = (b: string) => createHash('sha256').update(b).digest('hex');
const [A, B, C] = ['a1', 'b2', 'c3'].map((p) => p.padEnd(40, '0'));

describe('version gate (PUT /v1/version-gate) on real FerretDB', () => {
  let r: TestReceiver;
  let other: TestReceiver | undefined;
  let host: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    // No start-up allow-list here: the run-time gate alone decides. Cache off: every check reads the database.
    r = await startReceiver({ RECEIVER_ALLOWED_COMMITS: '', RECEIVER_VERSION_GATE_CACHE_MS: '0', FLEET_CHECK_INTERVAL_MS: String(24 * 3600_000) });
    host = uniq('gate');
    auth = await r.hostAuth(host);
  });
  afterAll(async () => {
    await other?.stop({ drop: false });
    await r.stop();
  });

  const gateUrl = () => `${r.base}/v1/version-gate`;
  const setGate = (body: unknown, headers = r.admin) => fetch(gateUrl(), { method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const upload = (name: string, headers: Record<string, string> = {}, h = host, a = auth) =>
    fetch(`${r.base}/v1/artifacts/${h}/${name}`, { method: 'PUT', headers: { ...a, 'x-content-sha256': sha(name), ...headers }, body: name });

  it('without a gate: GET answers null and uploads pass as before (missing header accepted, any commit)', async () => {
    expect(VersionGateResponse.parse(await (await fetch(gateUrl(), { headers: r.admin })).json().then(asAny))).toEqual({ gate: null });
    expect((await upload('before-1.log')).status).toBe(201);
    expect((await upload('before-2.log', { 'x-code-commit': C })).status).toBe(201);
  });

  it('PUT needs the admin token and a valid body; the gate is the first `window` commits, the head the first', async () => {
    expect((await setGate({ commits: [A], window: 1 }, auth)).status).toBe(401);
    expect((await setGate({ commits: [A], window: 0 })).status).toBe(400);
    expect((await setGate({ commits: ['not-a-commit'], window: 1 })).status).toBe(400);
    const res = await setGate({ commits: [A, B, C], window: 2 });
    expect(res.status).toBe(200);
    const { gate } = VersionGateResponse.parse(await res.json().then(asAny));
    expect(gate).toMatchObject({ head: A, window: 2, allowed: [A, B], commits: [A, B, C], source: 'api' });
    expect(VersionGateResponse.parse(await (await fetch(gateUrl(), { headers: r.admin })).json().then(asAny)).gate).toMatchObject({ head: A, allowed: [A, B] });
  });

  it('with a gate: no X-Code-Commit → 400 with remediation; outside the window → 412 naming both commits; inside → stored', async () => {
    const missing = await upload('no-commit.log');
    expect(missing.status).toBe(400);
    expect(CommitMissingBody.parse(await missing.json().then(asAny))).toMatchObject({ error: 'missing-commit', remediation: expect.stringContaining('X-Code-Commit') });

    const stale = await upload('stale.log', { 'x-code-commit': C });
    expect(stale.status).toBe(412);
    const body = CommitNotAllowedBody.parse(await stale.json().then(asAny));
    expect(body).toMatchObject({ error: 'code-version-not-allowed', yourCommit: C, headCommit: A, window: 2 });
    expect(body.remediation).toContain(A);

    expect((await upload('head.log', { 'x-code-commit': A })).status).toBe(201);
    expect((await upload('second.log', { 'x-code-commit': B })).status).toBe(201);
  });

  it('host-health reports are never gated', async () => {
    const res = await fetch(`${r.base}/v1/host-health/${host}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: '{"checks":[]}' });
    expect(res.status).toBe(200);
  });

  it('X-Schema-Version: a known version (or none) passes, an unknown one is a 400', async () => {
    expect((await upload('schema-1.log', { 'x-code-commit': A, 'x-schema-version': '1' })).status).toBe(201);
    const unknown = await upload('schema-99.log', { 'x-code-commit': A, 'x-schema-version': '99' });
    expect(unknown.status).toBe(400);
    expect(ErrorBody.parse(await unknown.json().then(asAny))).toMatchObject({ error: 'unknown-schema-version', details: { known: ['1'] } });
  });

  it('the unstamped and fatal-only detectors see the refusals in the request log', async () => {
    const stale = uniq('gate-stale');
    const staleAuth = await r.hostAuth(stale);
    expect((await upload('x.log', {}, stale, staleAuth)).status).toBe(400);
    expect((await upload('y.log', { 'x-code-commit': C }, stale, staleAuth)).status).toBe(412);
    await r.svc.parts.fleetHealth.evaluate(new Date());
    const rep = FleetHealthResponse.parse(await (await fetch(`${r.base}/v1/fleet-health`, { headers: r.admin })).json().then(asAny));
    const h = rep.hosts.find((x) => x.host === stale);
    expect(h).toMatchObject({ requests: 2, clientErrors: 2, uploads: 2, unstampedUploads: 1 });
    expect(h!.symptoms.map((s) => s.symptom).sort()).toEqual(['fatal-only', 'unstamped']);
  });

  it('is persisted and shared: another receiver instance on the same database answers with it', async () => {
    other = await startReceiver({ RECEIVER_ALLOWED_COMMITS: '', RECEIVER_VERSION_GATE_CACHE_MS: '0' }, { dbName: r.dbName });
    expect(VersionGateResponse.parse(await (await fetch(`${other.base}/v1/version-gate`, { headers: r.admin })).json().then(asAny)).gate).toMatchObject({ head: A, window: 2 });
    const res = await fetch(`${other.base}/v1/artifacts/${host}/other.log`, { method: 'PUT', headers: { ...auth, 'x-content-sha256': sha('other.log'), 'x-code-commit': C }, body: 'other.log' });
    expect(res.status).toBe(412);
  });

  it('DELETE removes it: uploads pass as without a gate again', async () => {
    const res = await fetch(gateUrl(), { method: 'DELETE', headers: r.admin });
    expect(VersionGateResponse.parse(await res.json().then(asAny))).toEqual({ gate: null });
    expect((await upload('after.log')).status).toBe(201);
  });

  it('follows a local git clone: the branch newest commits become the gate', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-gate-git-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    for (let i = 0; i < 3; i++) git('commit', '-q', '--allow-empty', '-m', `c${i}`);
    const log = git('rev-list', 'main').split('\n');
    const follower = await startReceiver({ RECEIVER_ALLOWED_COMMITS: '', RECEIVER_VERSION_GATE_GIT_DIR: dir, RECEIVER_VERSION_GATE_GIT_REF: 'main', RECEIVER_VERSION_GATE_WINDOW: '2' });
    try {
      const { gate } = VersionGateResponse.parse(await (await fetch(`${follower.base}/v1/version-gate`, { headers: follower.admin })).json().then(asAny));
      expect(gate).toMatchObject({ source: 'git', head: log[0], allowed: log.slice(0, 2), window: 2 });
    } finally {
      await follower.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
