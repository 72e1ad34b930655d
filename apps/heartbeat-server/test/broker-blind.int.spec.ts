import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Topics, type AlertEvent, type HeartbeatStatus } from '@watchkeeper/contracts';
import { createKafka } from '@watchkeeper/kafka';
import { createLogger, createMetrics, loadConfig } from '@watchkeeper/runtime';
import { NS_PUBSUB_OWNER, PubsubClient, xml, XmppSession } from '@watchkeeper/xmpp';
import mongoose from 'mongoose';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import { buildApps, privateKafka, privateProsody, runCheckCli, startClient, waitFor } from './helpers';

// The broker half of "if the server loses its own XMPP session OR THE BROKER, it raises one 'monitor
// blind' alert and marks listeners unknown". A private Kafka broker (this suite stops and restarts it)
// and a private Prosody; the shared MongoDB-wire server with a database of its own.
const INTERVAL = 1000;
const TIMEOUT = 500;
const suite = randomUUID().slice(0, 8);
const node = `wk-hb-broker-${suite}`;
const dbName = `wk_test_heartbeat_broker_${suite}`;
const password = process.env.XMPP_TEST_PASSWORD ?? 'watchkeeper-dev';
const mongoUrl = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const logger = createLogger({ service: 'heartbeat-broker-int', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const listeners = ['dave', 'erin'].map((name, i) => ({ name, id: `${name}@bhost${i + 1}`, user: `wk-client${i + 1}` }));
const ids = listeners.map((l) => l.id);

jest.setTimeout(240_000);

describe('heartbeat-server when its Kafka broker goes away (private broker, real Prosody)', () => {
  let kafka: Awaited<ReturnType<typeof privateKafka>>;
  let prosody: Awaited<ReturnType<typeof privateProsody>>;
  let app: ReturnType<typeof createApp> | undefined;
  const clients: ChildProcess[] = [];

  let env: Record<string, string>;
  const state = (id: string) => app!.monitor.view().listeners.find((l) => l.id === id)?.state;
  const baseUrl = () => `http://127.0.0.1:${app!.port()}`;
  const metric = async (re: RegExp) => Number((await (await fetch(`${baseUrl()}/metrics`)).text()).match(re)?.[1] ?? 0);

  beforeAll(async () => {
    [kafka, prosody] = await Promise.all([privateKafka(), privateProsody()]);
    await Promise.all([kafka.start(), prosody.start(), buildApps()]);
    const owner = new XmppSession({ credentials: { service: prosody.service, domain: 'localhost', username: 'wk-server', password, resource: 'setup' }, logger, presence: false });
    owner.start();
    await owner.waitOnline();
    await new PubsubClient(owner, 'pubsub.localhost').createNode(node, { max_items: '1' });
    for (const l of listeners) {
      clients.push(
        startClient({ XMPP_SERVICE: prosody.service, XMPP_DOMAIN: 'localhost', XMPP_USERNAME: l.user, XMPP_PASSWORD: password, XMPP_RECONNECT_MAX_MS: '1000', HEARTBEAT_NODES: node, HEARTBEAT_CLIENT_NAME: l.name, HEARTBEAT_CLIENT_HOST: l.id.split('@')[1] }),
      );
    }
    const subscribers = async () => {
      const res = await owner.iq(xml('iq', { type: 'get', to: 'pubsub.localhost' }, xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('subscriptions', { node }))));
      return res.getChild('pubsub', NS_PUBSUB_OWNER)?.getChild('subscriptions')?.getChildren('subscription').length ?? 0;
    };
    await waitFor('2 subscribers', async () => (await subscribers()) >= listeners.length, 60_000, 200);
    await owner.stop();
    env = {
      XMPP_SERVICE: prosody.service,
      XMPP_DOMAIN: 'localhost',
      XMPP_USERNAME: 'wk-server',
      XMPP_PASSWORD: password,
      XMPP_RESOURCE: `broker-${suite}`,
      HEARTBEAT_NODES: node,
      HEARTBEAT_EXPECTED: ids.join(','),
      HEARTBEAT_INTERVAL_MS: String(INTERVAL),
      HEARTBEAT_TIMEOUT_MS: String(TIMEOUT),
      HEARTBEAT_SERVER_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      KAFKA_BROKERS: kafka.brokers,
      MONGO_URL: mongoUrl,
      MONGO_DB: dbName,
    };
    app = createApp({ config: loadConfig(configSchema, env), logger, registry: createMetrics('hb-broker-int') });
    await app.start();
  }, 240_000);

  afterAll(async () => {
    for (const c of clients) c.kill('SIGTERM');
    await app?.stop().catch(() => undefined);
    const conn = await mongoose.createConnection(mongoUrl, { dbName }).asPromise();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    // Always, even when a test failed midway: no private server is left behind.
    await Promise.all([kafka?.stop().catch(() => undefined), prosody?.stop().catch(() => undefined)]);
    for (const dir of [kafka?.runDir, prosody?.runDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  /** Everything the broker holds, read by a fresh group from the beginning (the broker is private: every record is this suite's). */
  async function readAll(tag: string) {
    const client = createKafka({ brokers: [kafka.brokers], clientId: `hb-broker-read-${suite}-${tag}`, logger });
    const consumer = client.consumer({ groupId: `hb-broker-read-${suite}-${tag}` });
    const alerts: AlertEvent[] = [];
    const statuses: HeartbeatStatus[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [Topics.alerts.name, Topics.heartbeatStatus.name], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === Topics.alerts.name) alerts.push(Topics.alerts.schema.parse(JSON.parse(String(message.value))));
        else statuses.push(Topics.heartbeatStatus.schema.parse(JSON.parse(String(message.value))));
      },
    });
    return { alerts, statuses, consumer };
  }

  it('broker stopped: blind (kafka), listeners unknown, no per-listener alert; back: one trigger + release, statuses resume, nothing dropped', async () => {
    await waitFor('every listener ok', () => ids.every((id) => state(id) === 'ok'), 20_000);

    await kafka.stop();
    const stoppedAt = Date.now();
    // The sink notices at the next round's status publish: unanswered for 5 s (max(5 s, interval)) is
    // down, long before kafkajs gives up on its retries (≈ 30 s).
    await waitFor('blind (kafka)', () => app!.monitor.view().blind.includes('kafka'), 90_000, 100);
    const detectMs = Date.now() - stoppedAt;
    if (process.env.HEARTBEAT_TEST_REPORT) process.stderr.write(`broker down → blind after ${detectMs} ms\n`);
    expect(detectMs).toBeLessThan(5000 + 2 * INTERVAL + 3000);
    const view = app!.monitor.view();
    expect(view.listeners.map((l) => l.state)).toEqual(['unknown', 'unknown']);
    const api = (await (await fetch(`${baseUrl()}/v1/listeners`)).json()) as { blind: string[]; listeners: Array<{ state: string }> };
    expect(api.blind).toEqual(['kafka']);
    expect(api.listeners.every((l) => l.state === 'unknown')).toBe(true);
    expect((await fetch(`${baseUrl()}/readyz`)).status).toBe(503);
    const check = await runCheckCli(['--url', baseUrl()]);
    expect(check.code).toBe(3);
    expect(check.out).toMatch(/^HEARTBEAT UNKNOWN - monitor blind \(kafka\)/);

    // A listener dies while the monitor is blind: nothing may be judged, so no alert for it either.
    clients[1].kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 3 * INTERVAL + TIMEOUT));
    expect(state(ids[1])).toBe('unknown');
    clients[1].kill('SIGCONT');

    await kafka.start();
    const restartedAt = Date.now();
    await waitFor('seeing again', () => app!.monitor.view().blind.length === 0, 90_000, 100);
    if (process.env.HEARTBEAT_TEST_REPORT) process.stderr.write(`broker back → seeing after ${Date.now() - restartedAt} ms\n`);
    await waitFor('listeners ok again', () => ids.every((id) => state(id) === 'ok'), 20_000);
    await new Promise((r) => setTimeout(r, 3 * INTERVAL)); // past the grace window: still no listener alerts

    const { alerts, statuses, consumer } = await readAll('after-outage');
    try {
      const okAfterOutage = () => statuses.filter((s) => s.state === 'ok' && Date.parse(s.observedAt) > stoppedAt + detectMs);
      await waitFor('blind trigger and release, and ok statuses after the outage', () => alerts.length >= 2 && ids.every((id) => okAfterOutage().some((s) => s.listenerId === id)), 60_000, 100);
      await new Promise((r) => setTimeout(r, 1000)); // a duplicate or late per-listener alert would show up here
      expect(alerts.map((a) => `${a.type}:${a.action}`)).toEqual(['heartbeat.monitor-blind:trigger', 'heartbeat.monitor-blind:release']);
      expect(alerts[0].summary).toContain('kafka');
      expect(alerts[0].entity).toEqual({ kind: 'heartbeat-server', id: 'wk-server@localhost' });
      // The "unknown" statuses of the moment it went blind were kept and published once it could.
      for (const id of ids) expect(statuses.some((s) => s.listenerId === id && s.state === 'unknown')).toBe(true);
      expect(statuses.every((s) => s.node === node)).toBe(true);
    } finally {
      await consumer.disconnect();
    }
    expect(await metric(/watchkeeper_heartbeat_events_total\{kind="alert",outcome="published"[^}]*\} (\d+)/)).toBe(2);
    expect(await metric(/watchkeeper_heartbeat_events_total\{kind="status",outcome="dropped"[^}]*\} (\d+)/)).toBe(0);
    expect((await fetch(`${baseUrl()}/readyz`)).status).toBe(200);
  });
  it('broker down at start: the server starts blind within seconds instead of exiting; broker up: it sees, one more trigger + release', async () => {
    await app!.stop();
    await kafka.stop();
    app = createApp({ config: loadConfig(configSchema, env), logger, registry: createMetrics('hb-broker-int-2') });
    const t0 = Date.now();
    await app.start();
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(app.monitor.view().blind).toEqual(['kafka']);
    expect(app.monitor.view().listeners.every((l) => l.state === 'unknown')).toBe(true);
    expect((await fetch(`${baseUrl()}/readyz`)).status).toBe(503);
    const check = await runCheckCli(['--url', baseUrl()]);
    expect(check.code).toBe(3);
    expect(check.out).toMatch(/^HEARTBEAT UNKNOWN - monitor blind \(kafka\)/);

    await kafka.start();
    await waitFor('seeing again', () => app!.monitor.view().blind.length === 0, 90_000, 100);
    await waitFor('listeners ok again', () => ids.every((id) => state(id) === 'ok'), 30_000);
    expect((await fetch(`${baseUrl()}/readyz`)).status).toBe(200);
    const { alerts, consumer } = await readAll('after-start-blind');
    try {
      await waitFor('the second blind trigger and release', () => alerts.length >= 4, 60_000, 100);
      await new Promise((r) => setTimeout(r, 1000));
      expect(alerts.map((a) => `${a.type}:${a.action}`)).toEqual(['heartbeat.monitor-blind:trigger', 'heartbeat.monitor-blind:release', 'heartbeat.monitor-blind:trigger', 'heartbeat.monitor-blind:release']);
    } finally {
      await consumer.disconnect();
    }
  });
});
