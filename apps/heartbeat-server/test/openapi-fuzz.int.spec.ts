import { randomUUID } from 'node:crypto';
import { fuzzOpenApi } from '@watchkeeper/http-api';
import { createLogger, createMetrics, loadConfig } from '@watchkeeper/runtime';
import mongoose from 'mongoose';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';

// The heartbeat-server on the real Prosody, Kafka and MongoDB-wire server, fuzzed from the document it serves.
const suite = randomUUID().slice(0, 8);
const node = `wk-hb-fuzz-${suite}`;
const dbName = `wk_test_heartbeat_fuzz_${suite}`;
const xmpp = { service: process.env.XMPP_SERVICE ?? 'xmpp://127.0.0.1:5222', domain: process.env.XMPP_DOMAIN ?? 'localhost', password: process.env.XMPP_TEST_PASSWORD ?? 'watchkeeper-dev' };
const mongoUrl = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';

describe('fuzz: the heartbeat-server against its OpenAPI document', () => {
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    app = createApp({
      config: loadConfig(configSchema, {
        XMPP_SERVICE: xmpp.service,
        XMPP_DOMAIN: xmpp.domain,
        XMPP_USERNAME: 'wk-server',
        XMPP_PASSWORD: xmpp.password,
        XMPP_RESOURCE: `fuzz-${suite}`,
        HEARTBEAT_NODES: node,
        HEARTBEAT_EXPECTED: 'a@host1,b@host2',
        HEARTBEAT_INTERVAL_MS: '1000',
        HEARTBEAT_TIMEOUT_MS: '500',
        HEARTBEAT_SERVER_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        MONGO_URL: mongoUrl,
        MONGO_DB: dbName,
      }),
      logger: createLogger({ service: 'heartbeat-fuzz-int', level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      registry: createMetrics('hb-fuzz'),
    });
    await app.start();
  }, 60_000);

  afterAll(async () => {
    await app?.stop().catch(() => undefined);
    const conn = await mongoose.createConnection(mongoUrl, { dbName }).asPromise();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  }, 30_000);

  it('answers every generated request as its document says; /docs is served', async () => {
    const base = `http://127.0.0.1:${app.port()}`;
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as Record<string, unknown>;
    const seen = await fuzzOpenApi({ baseUrl: base, document, credentials: {}, numRuns: 150, seed: Number(process.env.FUZZ_SEED ?? 20261207), timeLimitMs: 30_000 });
    if (process.env.FUZZ_REPORT) console.log(JSON.stringify(seen, null, 1)); // statuses seen per operation
    expect(seen.listListeners?.[200]).toBeGreaterThan(0);
    expect(Object.keys(seen).some((k) => k.startsWith('(undeclared'))).toBe(true);
    const docs = await fetch(`${base}/docs`);
    expect([docs.status, docs.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
  }, 60_000);
});
