import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { ArtifactList, ArtifactStored, ErrorBody } from '@watchkeeper/contracts';
import { asAny, ALLOWED_COMMIT, startReceiver, uniq, type TestReceiver } from './support';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const MAX = 64 * 1024;

/** Every object file and temporary file under the artifact dir (to prove nothing partial is left). */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/**
 * Raw request, so a test can stream chunks slowly and see the answer before the body ends. It stops
 * sending once an answer came (as a real client does); `headersFirst` waits for an answer to the
 * headers alone before sending any body.
 */
function rawPut(url: string, headers: Record<string, string>, chunks: Buffer[], opts: { chunked?: boolean; headersFirst?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method: 'PUT', headers: opts.chunked ? headers : { ...headers, 'content-length': String(Buffer.concat(chunks).length) } });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
        req.destroy();
      });
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    let i = 0;
    const next = () => {
      if (answered) return;
      if (i >= chunks.length) return req.end();
      req.write(chunks[i++]);
      setTimeout(next, 5);
    };
    if (opts.headersFirst) req.flushHeaders();
    else next();
  });
}

describe('artifact uploads', () => {
  let r: TestReceiver;
  let host: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    r = await startReceiver({ RECEIVER_ARTIFACT_MAX_BYTES: String(MAX) });
    host = uniq('art');
    auth = await r.hostAuth(host);
  });
  afterAll(async () => {
    await r.stop();
  });

  const url = (name: string, h = host) => `${r.base}/v1/artifacts/${h}/${name}`;
  const put = (name: string, body: Buffer | string, headers: Record<string, string> = {}) =>
    fetch(url(name), { method: 'PUT', headers: { ...auth, 'x-content-sha256': sha(body), 'x-code-commit': ALLOWED_COMMIT, ...headers }, body });

  it('stores content-addressed with atomic rename; same name and hash → 200 already-present; other hash → 409', async () => {
    const body = Buffer.from('2026-06-01 report line\n'.repeat(100));
    const res = await put('report-1.log', body, { 'x-artifact-kind': 'report', 'x-artifact-encoding': 'identity' });
    expect(res.status).toBe(201);
    const stored = ArtifactStored.parse(await res.json().then(asAny));
    expect(stored).toMatchObject({ status: 'stored', host, name: 'report-1.log', sha256: sha(body), size: body.length, codeCommit: ALLOWED_COMMIT, meta: { kind: 'report', encoding: 'identity' } });
    const objectFile = path.join(r.artifactDir, 'objects', sha(body).slice(0, 2), sha(body));
    expect(fs.readFileSync(objectFile).equals(body)).toBe(true);

    const again = await put('report-1.log', body);
    expect(again.status).toBe(200);
    expect(ArtifactStored.parse(await again.json().then(asAny)).status).toBe('already-present');

    const other = await put('report-1.log', 'different bytes');
    expect(other.status).toBe(409);
    expect(ErrorBody.parse(await other.json().then(asAny))).toMatchObject({ error: 'name-conflict', details: { existingSha256: sha(body) } });

    // The same bytes under another name share one object.
    expect((await put('report-1-copy.log', body)).status).toBe(201);
    expect(filesUnder(path.join(r.artifactDir, 'objects')).filter((f) => f.endsWith(sha(body)))).toHaveLength(1);

    const list = ArtifactList.parse(await (await fetch(`${r.base}/v1/artifacts/${host}`, { headers: r.admin })).json().then(asAny));
    expect(list.artifacts.map((a) => a.name).sort()).toEqual(['report-1-copy.log', 'report-1.log']);
  });

  it('a body that does not match its hash → 400 sha-mismatch and nothing kept', async () => {
    const res = await fetch(url('tampered.bin'), { method: 'PUT', headers: { ...auth, 'x-content-sha256': sha('original') }, body: 'tampered' });
    expect(res.status).toBe(400);
    expect((await res.json().then(asAny)).error).toBe('sha-mismatch');
    expect(filesUnder(r.artifactDir).some((f) => f.endsWith(sha('tampered')) || f.endsWith('.part'))).toBe(false);
    expect(await r.svc.parts.conn.collection('artifacts').countDocuments({ name: 'tampered.bin' })).toBe(0);
  });

  it('size cap: 413 from Content-Length before reading, and while streaming a chunked body', async () => {
    const big = Buffer.alloc(MAX + 1, 1);
    const declared = await rawPut(url('big-declared.bin'), { ...auth, 'x-content-sha256': sha(big) }, [big], { headersFirst: true });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error).toBe('payload-too-large');

    const chunks = Array.from({ length: 20 }, () => Buffer.alloc(8 * 1024, 2)); // 160 KiB > 64 KiB, no Content-Length
    const streamed = await rawPut(url('big-streamed.bin'), { ...auth, 'x-content-sha256': sha(Buffer.concat(chunks)) }, chunks, { chunked: true });
    expect(streamed.status).toBe(413);
    expect(filesUnder(r.artifactDir).some((f) => f.endsWith('.part'))).toBe(false);
    expect(await r.svc.parts.conn.collection('artifacts').countDocuments({ name: /^big-/ })).toBe(0);

    const exact = Buffer.alloc(MAX, 3);
    expect((await put('exactly-max.bin', exact)).status).toBe(201);
  });

  it('concurrent PUTs of the same artifact: one stores, the rest find it present; different bytes: one wins, the rest get 409', async () => {
    const body = Buffer.from(`concurrent ${uniq('x')}\n`.repeat(500));
    const same = await Promise.all(Array.from({ length: 8 }, () => put('same.log', body)));
    const statuses = same.map((s) => s.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const bodies = await Promise.all(same.map((s) => s.json().then(asAny)));
    expect(new Set(bodies.map((b) => b.sha256))).toEqual(new Set([sha(body)]));

    const variants = Array.from({ length: 6 }, (_, i) => Buffer.from(`variant ${i}\n`.repeat(300)));
    const race = await Promise.all(variants.map((v) => put('race.log', v)));
    expect(race.map((s) => s.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const winner = (await Promise.all(race.map((s) => s.json().then(asAny)))).find((b) => b.status === 'stored');
    const rec = await r.svc.parts.conn.collection('artifacts').findOne({ _id: `${host}/race.log` as never });
    expect(rec?.sha256).toBe(winner.sha256);
    expect(filesUnder(r.artifactDir).some((f) => f.endsWith('.part'))).toBe(false);
  });

  it('code-version gate: malformed commit → 400, unknown commit → 412 with a remediation; missing → accepted as unstamped', async () => {
    const body = 'gated';
    const bad = await put('gated.txt', body, { 'x-code-commit': 'ABC' });
    expect(bad.status).toBe(400);
    expect((await bad.json().then(asAny)).error).toBe('bad-commit');
    const old = await put('gated.txt', body, { 'x-code-commit': 'f'.repeat(40) });
    expect(old.status).toBe(412);
    expect(ErrorBody.parse(await old.json().then(asAny)).message).toContain('apt-get install --only-upgrade watchkeeper-agent');
    const res = await fetch(url('unstamped.txt'), { method: 'PUT', headers: { ...auth, 'x-content-sha256': sha(body) }, body });
    expect(res.status).toBe(201);
    expect((await res.json().then(asAny)).codeCommit).toBeUndefined();
    expect(await r.svc.parts.conn.collection('artifacts').countDocuments({ name: 'gated.txt' })).toBe(0);
  });

  it('unknown metadata values are dropped, not refused', async () => {
    const res = await put('meta.txt', 'meta', { 'x-artifact-kind': 'spaceship', 'x-artifact-encoding': 'gzip' });
    expect(res.status).toBe(201);
    expect((await res.json().then(asAny)).meta).toEqual({ encoding: 'gzip' });
  });

  it('refuses bad names, a missing or malformed hash, and other hosts, with 4xx', async () => {
    for (const name of ['..', '.hidden', 'a..b', 'x%2Fy', 'name%00', '%2E%2E', 'a b', 'x'.repeat(201)]) {
      const res = await fetch(`${r.base}/v1/artifacts/${host}/${name}`, { method: 'PUT', headers: { ...auth, 'x-content-sha256': sha('x') }, body: 'x' });
      expect([400, 404]).toContain(res.status);
    }
    expect((await fetch(url('nohash.txt'), { method: 'PUT', headers: auth, body: 'x' })).status).toBe(400);
    expect((await fetch(url('badhash.txt'), { method: 'PUT', headers: { ...auth, 'x-content-sha256': 'A'.repeat(64) }, body: 'x' })).status).toBe(400);
    expect((await fetch(url('x.txt', uniq('someone-else')), { method: 'PUT', headers: { ...auth, 'x-content-sha256': sha('x') }, body: 'x' })).status).toBe(403);
    expect((await fetch(url('x.txt'), { method: 'PUT', headers: { 'x-content-sha256': sha('x') }, body: 'x' })).status).toBe(401);
    expect(filesUnder(r.artifactDir).filter((f) => f.endsWith(sha('x')))).toHaveLength(0);
  });
});
