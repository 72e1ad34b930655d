import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { ListenersResponse, Topics, type AlertEvent } from '@watchkeeper/contracts';
import { createHeartbeatResponder, WorkQueue } from '@watchkeeper/heartbeat';
import { createKafka, ensureTopics, positionAtEnd } from '@watchkeeper/kafka';
import { createLogger, createMetrics, loadConfig } from '@watchkeeper/runtime';
import { NS_PUBSUB_OWNER, PubsubClient, xml, XmppSession } from '@watchkeeper/xmpp';
import type { Consumer } from 'kafkajs';
import mongoose from 'mongoose';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import { buildApps, privateProsody, runCheckCli, startClient, waitFor } from './helpers';

// The seed's scenario against real servers: a private Prosody (this suite stops and restarts it), the
// shared Kafka and MongoDB-wire server. Short rounds keep it fast: interval 1 s, timeout 0.5 s.
const INTERVAL = 1000;
const TIMEOUT = 500;
const suite = randomUUID().slice(0, 8);
const node = `wk-hb-int-${suite}`;
const dbName = `wk_test_heartbeat_${suite}`;
const password = process.env.XMPP_TEST_PASSWORD ?? 'watchkeeper-dev';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const mongoUrl = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const logger = createLogger({ service: 'heartbeat-int', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const listeners = ['alice', 'bob', 'carol'].map((name, i) => ({ name, id: `${name}@host${i + 1}`, user: `wk-client${i + 1}` }));
const embeddedId = 'embedded@test-host';

describe('heartbeat-server with three heartbeat-clients (real Prosody, Kafka, MongoDB)', () => {
  const prosody = privateProsodyHolder();
  let app: ReturnType<typeof createApp>;
  const clients = new Map<string, ChildProcess>();
  let consumer: Consumer;
  const alerts: AlertEvent[] = [];
  let embedded: XmppSession;
  let releaseStuck: () => void = () => undefined;
  let serverEnv: Record<string, string>;

  const state = (id: string) => app.monitor.view().listeners.find((l) => l.id === id)?.state;
  const alertsFor = (id: string, action: string) => alerts.filter((a) => a.entity.id === id && a.action === action);
  const baseUrl = () => `http://127.0.0.1:${app.port()}`;

  beforeAll(async () => {
    const p = await prosody.init();
    await Promise.all([buildApps(), p.start()]);
    const kafka = createKafka({ brokers, clientId: `hb-int-${suite}`, logger });
    await ensureTopics(kafka, [Topics.alerts]);
    consumer = kafka.consumer({ groupId: `hb-int-${suite}` });
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.alerts.name, fromBeginning: false });
    // Positioned, not just joined: a new group resolves "latest" at its first fetch, after the join.
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, (e) => void positionAtEnd(kafka, consumer, `hb-int-${suite}`, Topics.alerts.name, e.payload.memberAssignment[Topics.alerts.name] ?? []).then(resolve)),
    );
    await consumer.run({
      eachMessage: async ({ message }) => {
        const a = Topics.alerts.schema.parse(JSON.parse(String(message.value)));
        // Only this suite's events: its node is unique.
        if (a.labels.node === node || a.labels.nodes === node) alerts.push(a);
      },
    });
    await joined;

    serverEnv = {
      XMPP_SERVICE: p.service,
      XMPP_DOMAIN: 'localhost',
      XMPP_USERNAME: 'wk-server',
      XMPP_PASSWORD: password,
      XMPP_RESOURCE: `int-${suite}`,
      XMPP_RECONNECT_MAX_MS: '1000',
      HEARTBEAT_NODES: node,
      HEARTBEAT_EXPECTED: [...listeners.map((l) => l.id), embeddedId].join(','),
      HEARTBEAT_INTERVAL_MS: String(INTERVAL),
      HEARTBEAT_TIMEOUT_MS: String(TIMEOUT),
      HEARTBEAT_SERVER_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      KAFKA_BROKERS: brokers.join(','),
      MONGO_URL: mongoUrl,
      MONGO_DB: dbName,
    };
    // The node exists before the listeners start (as in production, where the server runs first).
    const owner = new XmppSession({ credentials: { service: p.service, domain: 'localhost', username: 'wk-server', password, resource: 'setup' }, logger, presence: false });
    owner.start();
    await owner.waitOnline();
    await new PubsubClient(owner, 'pubsub.localhost').createNode(node, { max_items: '1' });

    for (const l of listeners) {
      const env = { XMPP_SERVICE: p.service, XMPP_DOMAIN: 'localhost', XMPP_USERNAME: l.user, XMPP_PASSWORD: password, XMPP_RECONNECT_MAX_MS: '1000', HEARTBEAT_NODES: node, HEARTBEAT_CLIENT_NAME: l.name, HEARTBEAT_CLIENT_HOST: l.id.split('@')[1] };
      clients.set(l.id, startClient(env));
    }

    // A listener of our own with the responder embedded in its stanza handler and a real work queue.
    embedded = new XmppSession({ credentials: { service: p.service, domain: 'localhost', username: 'wk-client4', password, resource: 'embedded' }, logger, presence: false, backoff: { baseMs: 100, maxMs: 1000 } });
    const pubsub = new PubsubClient(embedded, 'pubsub.localhost');
    const queue = new WorkQueue();
    const responder = createHeartbeatResponder({
      send: embedded,
      identity: { name: 'embedded', host: 'test-host', user: 'test', pid: process.pid, version: 'test' },
      pubsubService: 'pubsub.localhost',
      schedule: (task) => queue.push(task),
      health: () => ({ queueDepth: queue.depth, dispatchDelayMs: queue.lastDispatchDelayMs }),
    });
    embedded.on('stanza', (s) => responder.handle(s));
    embedded.on('online', () => void pubsub.subscribe(node).catch(() => undefined));
    embedded.start();
    (globalThis as { wedge?: () => void }).wedge = () => queue.push(() => new Promise<void>((resolve) => (releaseStuck = resolve)));
    await embedded.waitOnline();
    // Start the server only once all four listeners are subscribed (a slow machine must not turn the
    // clients' start-up into a missing verdict at the end of the grace window).
    const subscribers = async () => {
      const res = await owner.iq(xml('iq', { type: 'get', to: 'pubsub.localhost' }, xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('subscriptions', { node }))));
      return res.getChild('pubsub', NS_PUBSUB_OWNER)?.getChild('subscriptions')?.getChildren('subscription').length ?? 0;
    };
    await waitFor('4 subscribers', async () => (await subscribers()) >= 4, 60_000, 200);
    await owner.stop();

    app = createApp({ config: loadConfig(configSchema, serverEnv), logger, registry: createMetrics('hb-int') });
    await app.start();

  }, 120_000);

  afterAll(async () => {
    for (const c of clients.values()) {
      c.kill('SIGCONT');
      c.kill('SIGTERM');
    }
    releaseStuck();
    await embedded?.stop();
    await app?.stop().catch(() => undefined);
    await consumer?.disconnect();
    const conn = await mongoose.createConnection(mongoUrl, { dbName }).asPromise();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    await prosody.get()?.stop(); // always: even when a test failed midway
  }, 60_000);

  it('all three clients and the embedded listener answer: OK, check exits 0, no alert at start', async () => {
    await waitFor('every listener ok', () => [...listeners.map((l) => l.id), embeddedId].every((id) => state(id) === 'ok'), 20_000);
    expect(alerts).toEqual([]);
    const check = await runCheckCli(['--url', baseUrl()]);
    expect(check.out).toMatch(/^HEARTBEAT OK - 4\/4 listeners answering \| expected=4;;;0 received=4;;;0 missing=0;0;0;0 rtt_max=/);
    expect(check.code).toBe(0);
    const res = ListenersResponse.parse(await (await fetch(`${baseUrl()}/v1/listeners?listener=bob@host2`)).json());
    expect(res.listeners).toHaveLength(1);
    expect(res.listeners[0]).toMatchObject({ id: 'bob@host2', state: 'ok', host: 'host2', expected: true });
    expect(res.listeners[0].latencyHistoryMs.filter((v) => v !== null).length).toBeGreaterThan(0);
  }, 30_000);

  it('SIGSTOP one client: missing within 2·interval + timeout, check exits 2 naming it, trigger on Kafka', async () => {
    const alice = clients.get('alice@host1')!;
    alice.kill('SIGSTOP'); // still in the process table, socket still open
    const t0 = Date.now();
    await waitFor('alice missing', () => state('alice@host1') === 'missing', 5000, 20);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThanOrEqual(2 * INTERVAL + TIMEOUT + 150);
    expect(state('bob@host2')).toBe('ok');

    const check = await runCheckCli(['--url', baseUrl(), '-w', '2', '-c', '5']);
    expect(check.code).toBe(2);
    expect(check.out.split('\n')[0]).toMatch(/^HEARTBEAT CRITICAL - 1\/4 listeners missing \(alice@host1\) \| expected=4;;;0 received=3;;;0 missing=1;0;0;0 rtt_max=\d+\.\d{3}s;2;5;0$/);
    expect(check.out.split('\n')[1]).toContain(`node ${node}:`);

    // The seed's mode: one round by itself, straight over XMPP.
    const once = await runCheckCli(['--once'], { ...serverEnv, HEARTBEAT_EXPECTED: listeners.map((l) => l.id).join(',') });
    expect(once.code).toBe(2);
    expect(once.out).toMatch(/^HEARTBEAT CRITICAL - 1\/3 listeners missing \(alice@host1\)/);

    await waitFor('trigger alert on Kafka', () => alertsFor('alice@host1', 'trigger').length > 0, 10_000);
    expect(alertsFor('alice@host1', 'trigger')[0]).toMatchObject({ type: 'heartbeat.listener-missing', severity: 'critical', labels: { node } });
  }, 30_000);

  it('SIGCONT: ok again after two good rounds and a release alert; late answers of old rounds are rejected', async () => {
    clients.get('alice@host1')!.kill('SIGCONT');
    await waitFor('alice ok', () => state('alice@host1') === 'ok', 6000);
    await waitFor('release alert on Kafka', () => alertsFor('alice@host1', 'release').length > 0, 10_000);
    expect(alertsFor('alice@host1', 'trigger')).toHaveLength(1);
    const metrics = await (await fetch(`${baseUrl()}/metrics`)).text();
    // The backlog alice answered after waking carried nonces of closed rounds.
    expect(metrics).toMatch(/watchkeeper_heartbeat_answers_rejected_total\{reason="stale-nonce"[^}]*\} [1-9]/);
  }, 30_000);

  it('a listener whose handler is stuck (socket alive, work queue blocked) is caught the same way', async () => {
    (globalThis as unknown as { wedge: () => void }).wedge();
    const t0 = Date.now();
    await waitFor('embedded missing', () => state(embeddedId) === 'missing', 5000, 20);
    expect(Date.now() - t0).toBeLessThanOrEqual(2 * INTERVAL + TIMEOUT + 150);
    expect(embedded.isOnline).toBe(true);
    await waitFor('trigger for the stuck listener', () => alertsFor(embeddedId, 'trigger').length === 1, 10_000);
    releaseStuck();
    await waitFor('embedded ok', () => state(embeddedId) === 'ok', 6000);
    await waitFor('release for the stuck listener', () => alertsFor(embeddedId, 'release').length === 1, 10_000);
  }, 30_000);

  it('Prosody stopped: one "monitor blind" alert, listeners unknown, no per-listener alert; back: recovery', async () => {
    const before = alerts.length;
    await prosody.get()!.stop();
    await waitFor('blind', () => app.monitor.view().blind.includes('xmpp'), 10_000);
    expect(app.monitor.view().listeners.every((l) => l.state === 'unknown')).toBe(true);
    const check = await runCheckCli(['--url', baseUrl()]);
    expect(check.code).toBe(3);
    expect(check.out).toMatch(/^HEARTBEAT UNKNOWN - monitor blind \(xmpp\)/);
    await new Promise((r) => setTimeout(r, 3 * INTERVAL)); // rounds that would have found everyone missing

    await prosody.get()!.start();
    await waitFor('seeing again', () => app.monitor.view().blind.length === 0, 20_000);
    await waitFor('every listener ok again', () => [...listeners.map((l) => l.id), embeddedId].every((id) => state(id) === 'ok'), 20_000);
    await new Promise((r) => setTimeout(r, 3 * INTERVAL)); // past the grace window: still no listener alerts
    await waitFor('blind release on Kafka', () => alerts.slice(before).some((a) => a.type === 'heartbeat.monitor-blind' && a.action === 'release'), 10_000);
    const during = alerts.slice(before);
    expect(during.filter((a) => a.type === 'heartbeat.monitor-blind').map((a) => a.action)).toEqual(['trigger', 'release']);
    expect(during.filter((a) => a.type === 'heartbeat.listener-missing')).toEqual([]);
  }, 90_000);

  it('after its own restart: last-seen times come back from MongoDB and there is no alert storm', async () => {
    await app.stop();
    const before = alerts.length;
    clients.get('carol@host3')!.kill('SIGSTOP'); // carol goes silent while the server is down
    app = createApp({ config: loadConfig(configSchema, serverEnv), logger, registry: createMetrics('hb-int-2') });
    await app.start();
    const first = app.monitor.view();
    expect(first.inGrace).toBe(true);
    expect(first.listeners.find((l) => l.id === 'bob@host2')!.lastSeenAt).not.toBeNull();
    // Within the grace window carol is not judged; after it she is (one trigger), the others never.
    await waitFor('carol missing after the grace window', () => state('carol@host3') === 'missing', 4 * INTERVAL + TIMEOUT + 1000);
    clients.get('carol@host3')!.kill('SIGCONT');
    await waitFor('carol trigger', () => alerts.slice(before).some((a) => a.entity.id === 'carol@host3' && a.action === 'trigger'), 10_000);
    const after = alerts.slice(before).filter((a) => a.type === 'heartbeat.listener-missing');
    expect(after.map((a) => `${a.entity.id}:${a.action}`)).toEqual(['carol@host3:trigger']);
  }, 60_000);
});

function privateProsodyHolder() {
  let p: Awaited<ReturnType<typeof privateProsody>> | undefined;
  return {
    init: async () => (p = await privateProsody()),
    get: () => p,
  };
}
