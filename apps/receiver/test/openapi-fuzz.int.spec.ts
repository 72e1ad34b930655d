import { createHash } from 'node:crypto';
import { freePort } from '@watchkeeper/runtime';
import { fuzzOpenApi } from '@watchkeeper/http-api';
import { ALLOWED_COMMIT, startReceiver, uniq, type TestReceiver } from './support';

/**
 * Requests generated from the receiver's served /openapi.json (valid ones, ones with a fault, and
 * undeclared methods): every answer a declared status, never a 5xx, a valid request never a 400.
 * The dashboard proxy's upstreams are not running here: their declared 502 is the answer.
 */
describe('fuzz: the receiver against its OpenAPI document', () => {
  let r: TestReceiver;
  let host: string;
  let hostAuth: Record<string, string>;

  beforeAll(async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    r = await startReceiver({ HEARTBEAT_SERVER_URL: closed, ALERT_DISPATCHER_URL: closed });
    host = uniq('oafuzz');
    hostAuth = await r.hostAuth(host);
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('answers every generated request as its document says', async () => {
    const document = (await (await fetch(`${r.base}/openapi.json`)).json()) as Record<string, unknown>;
    const seen = await fuzzOpenApi({
      baseUrl: r.base,
      document,
      credentials: { adminToken: r.admin, hostToken: hostAuth },
      pathValues: { host: [host] },
      // The upload's hash header names its body, and the commit header one the gate allows: stated in words in the document.
      fixups: {
        // Retiring the fuzzing host would revoke the token every later valid request uses.
        retireHost: (req) => ({ ...req, path: req.path.replace(`/${host}`, `/${uniq('gone')}`) }),
        putArtifact: (req) => ({ ...req, headers: { ...req.headers, 'x-content-sha256': createHash('sha256').update(req.body ?? '').digest('hex'), ...('x-code-commit' in req.headers ? { 'x-code-commit': ALLOWED_COMMIT } : {}) } }),
      },
      // A version gate makes X-Code-Commit required on uploads: state the document states in words
      // (setting one is covered by the version-gate tests), not something a generated request can know.
      skip: ['setVersionGate'],
      acceptedServerErrors: [502],
      // Enough runs that every operation is drawn several times (the receiver has over 40).
      numRuns: 800,
      seed: Number(process.env.FUZZ_SEED ?? 20261207),
      timeLimitMs: 90_000,
    });
    if (process.env.FUZZ_REPORT) console.log(JSON.stringify(seen, null, 1)); // statuses seen per operation
    expect(Object.keys(seen).some((k) => k.startsWith('(undeclared'))).toBe(true);
    for (const op of ['putHostHealth', 'listHostHealth', 'createHostToken', 'sshLoginsRange']) expect({ op, ok: Object.keys(seen[op] ?? {}).some((s) => Number(s) < 300) }).toEqual({ op, ok: true });
  }, 150_000);
});
