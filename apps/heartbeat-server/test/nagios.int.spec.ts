import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHeartbeatResponder } from '@watchkeeper/heartbeat';
import { createLogger, createMetrics, loadConfig } from '@watchkeeper/runtime';
import { PubsubClient, XmppSession } from '@watchkeeper/xmpp';
import mongoose from 'mongoose';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import { buildApps, freePort, repo, waitFor } from './helpers';

// The check as a command under a real Nagios 4 (Debian's nagios4-core), run by tools/nagios/nagios4-run.sh
// against a running heartbeat-server on the shared Prosody: one listener answers, one never does.
const run = promisify(execFile);
const script = join(repo, 'tools/nagios/nagios4-run.sh');
const suite = randomUUID().slice(0, 8);
const node = `wk-hb-nagios-${suite}`;
const dbName = `wk_test_heartbeat_nagios_${suite}`;
const xmpp = { service: process.env.XMPP_SERVICE ?? 'xmpp://127.0.0.1:5222', domain: process.env.XMPP_DOMAIN ?? 'localhost', password: process.env.XMPP_TEST_PASSWORD ?? 'watchkeeper-dev' };
const mongoUrl = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const logger = createLogger({ service: 'heartbeat-nagios-int', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe('check under a real Nagios 4', () => {
  let installed = true;
  let app: ReturnType<typeof createApp>;
  let listener: XmppSession;

  beforeAll(async () => {
    try {
      await run('bash', [script, '--install-only'], { timeout: 280_000 });
    } catch (err) {
      installed = false;
      console.warn(`\n*** SKIPPING the Nagios test: nagios4-core could not be installed (apt unreachable?): ${(err as Error).message}\n`);
      return;
    }
    await buildApps();
    listener = new XmppSession({ credentials: { ...xmpp, username: 'wk-client5', resource: `nagios-${suite}` }, logger, presence: false });
    const responder = createHeartbeatResponder({ send: listener, identity: { name: 'answering', host: 'host1', user: 'test', pid: process.pid, version: 'test' }, pubsubService: `pubsub.${xmpp.domain}` });
    listener.on('stanza', (s) => responder.handle(s));
    app = createApp({
      config: loadConfig(configSchema, {
        XMPP_SERVICE: xmpp.service,
        XMPP_DOMAIN: xmpp.domain,
        XMPP_USERNAME: 'wk-server',
        XMPP_PASSWORD: xmpp.password,
        XMPP_RESOURCE: `nagios-${suite}`,
        HEARTBEAT_NODES: node,
        HEARTBEAT_EXPECTED: 'answering@host1,ghost@nowhere',
        HEARTBEAT_INTERVAL_MS: '1000',
        HEARTBEAT_TIMEOUT_MS: '500',
        HEARTBEAT_SERVER_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        MONGO_URL: mongoUrl,
        MONGO_DB: dbName,
      }),
      logger,
      registry: createMetrics('hb-nagios'),
    });
    await app.start(); // creates the node
    listener.start();
    await listener.waitOnline();
    await new PubsubClient(listener, `pubsub.${xmpp.domain}`).subscribe(node);
  }, 300_000);

  afterAll(async () => {
    await listener?.stop();
    await app?.stop().catch(() => undefined);
    const conn = await mongoose.createConnection(mongoUrl, { dbName }).asPromise();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  }, 30_000);

  it('Nagios records CRITICAL naming the silent listener (with perfdata), and UNKNOWN for an unreachable server', async () => {
    if (!installed) return;
    await waitFor('ghost missing', () => app.monitor.view().listeners.find((l) => l.id === 'ghost@nowhere')?.state === 'missing', 10_000);
    expect(app.monitor.view().listeners.find((l) => l.id === 'answering@host1')?.state).toBe('ok');
    const closed = await freePort();
    const { stdout } = await run('bash', [script, `http://127.0.0.1:${app.port()}`, `http://127.0.0.1:${closed}`], { timeout: 60_000, env: { ...process.env, CHECK_ARGS: '-w 2 -c 5' } });
    const rows = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((line) => line.split('\t'))
        .map(([service, state, output, perf]) => [service, { state: Number(state), output, perf }]),
    );
    expect(rows['heartbeat-1']).toEqual({
      state: 2,
      output: 'HEARTBEAT CRITICAL - 1/2 listeners missing (ghost@nowhere)',
      perf: expect.stringMatching(/^expected=2;;;0 received=1;;;0 missing=1;0;0;0 rtt_max=\d+\.\d{3}s;2;5;0$/),
    });
    expect(rows['heartbeat-2'].state).toBe(3);
    expect(rows['heartbeat-2'].output).toMatch(/^HEARTBEAT UNKNOWN - cannot reach heartbeat-server/);
  }, 90_000);
});
