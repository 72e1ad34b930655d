import { listen, type RunningServer } from '@watchkeeper/runtime';
import { fuzzOpenApi } from '@watchkeeper/http-api';
import { dispatcherHttpApp } from '../src';
import { alert, logger, recorded, startHarness, type Harness } from './support';

const TOKEN = 'test-admin-token-0123456789';

/** Requests generated from the served /openapi.json: declared statuses only, no 5xx, valid ones never 400. */
describe('fuzz: the alert-dispatcher against its OpenAPI document (real Kafka, MongoDB-wire server)', () => {
  let h: Harness;
  let api: RunningServer;
  let base: string;

  beforeAll(async () => {
    h = await startHarness('fuzz', 'recipients:\n  fuzz-out: { type: stdout }\npools:\n  - name: all\n    recipients: [fuzz-out]\n');
    api = await listen(dispatcherHttpApp(h.engine, { adminToken: TOKEN, logger, validateResponses: true }), 0, '127.0.0.1');
    base = `http://127.0.0.1:${api.port}`;
    const a = alert({ entity: { kind: 'host', id: 'fuzz-host' }, action: 'trigger', category: 'system' });
    await h.publish([a]);
    const { waitFor } = await import('./support');
    await waitFor('recorded', () => recorded(h, [a.id]), 30_000);
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await h?.stop();
  });

  it('answers every generated request as its document says', async () => {
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as Record<string, unknown>;
    const silences = (await (await fetch(`${base}/v1/silences`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { silences: Array<{ id: string }> };
    const seen = await fuzzOpenApi({
      baseUrl: base,
      document,
      credentials: { adminToken: { authorization: `Bearer ${TOKEN}` } },
      pathValues: { id: silences.silences.map((s) => s.id) },
      numRuns: 250,
      seed: Number(process.env.FUZZ_SEED ?? 20261207),
      timeLimitMs: 60_000,
    });
    if (process.env.FUZZ_REPORT) console.log(JSON.stringify(seen, null, 1)); // statuses seen per operation
    // Every operation was reached, and the valid ones succeeded at least once.
    for (const op of ['createSilence', 'listSilences', 'listDeliveries', 'alertHistory', 'accounting', 'listRecipients', 'listAlerts', 'replayDeadLetters']) {
      expect({ op, ok: Object.keys(seen[op] ?? {}).some((s) => Number(s) < 300) }).toEqual({ op, ok: true });
    }
    expect(Object.keys(seen).some((k) => k.startsWith('(undeclared'))).toBe(true);
  }, 120_000);
});
