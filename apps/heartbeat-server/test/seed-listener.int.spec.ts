import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ListenersResponse } from '@watchkeeper/contracts';
import { createHeartbeatResponder } from '@watchkeeper/heartbeat';
import { createLogger, createMetrics, loadConfig } from '@watchkeeper/runtime';
import { PubsubClient, XmppSession, type XmlElement } from '@watchkeeper/xmpp';
import mongoose from 'mongoose';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import { buildApps, runCheckCli, waitFor } from './helpers';

// Seed-era (lvalertHeartbeat) listeners, unchanged, monitored by the heartbeat-server: a client written
// from the packet format alone (test/seed-listener.cjs, STARTTLS required) on a node of its own with
// its own timing, beside native listeners on another node. The shared Prosody of .run/env (STARTTLS
// with the certificate tools/infra/prosody.sh made), Kafka and MongoDB-wire server.
const suite = randomUUID().slice(0, 8);
const seedNode = `wk-seed-${suite}`;
const nativeNode = `wk-native-${suite}`;
// A seed answer opens a fresh TLS session each time (as lvalert_heartbeat did): allow it time.
const SEED = { intervalMs: 4000, timeoutMs: 3000 };
const NATIVE = { intervalMs: 1000, timeoutMs: 600 };
const service = process.env.XMPP_SERVICE ?? 'xmpp://127.0.0.1:5222';
const domain = process.env.XMPP_DOMAIN ?? 'localhost';
const pubsubService = `pubsub.${domain}`;
const password = process.env.XMPP_TEST_PASSWORD ?? 'watchkeeper-dev';
const mongoUrl = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const dbName = `wk_test_seed_${suite}`;
const logger = createLogger({ service: 'seed-int', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

const seeds = [
  { account: 'wk-client1', name: 'seed-a', hostname: 'ldas-1', user: 'gracedb', expected: true },
  { account: 'wk-client2', name: 'seed-b', hostname: 'ldas-2', user: 'emfollow', expected: true },
  { account: 'wk-client3', name: 'stray', hostname: 'ldas-9', user: 'someone', expected: false },
];
const seedId = (s: (typeof seeds)[number]) => `${s.name}@${s.hostname}`;
const natives = ['n1', 'n2', 'n3', 'n4'].map((name, i) => ({ name, account: i < 2 ? 'wk-client4' : 'wk-client5', id: `${name}@native-host` }));

interface SeedProcess {
  child: ChildProcess;
  lines: string[];
}

function startSeedListener(s: (typeof seeds)[number]): Promise<SeedProcess> {
  const child = spawn(process.execPath, [join(__dirname, 'seed-listener.cjs')], {
    env: { ...process.env, SEED_SERVICE: service, SEED_DOMAIN: domain, SEED_USERNAME: s.account, SEED_PASSWORD: password, SEED_NODE: seedNode, SEED_NAME: s.name, SEED_HOSTNAME: s.hostname, SEED_USER: s.user },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const p: SeedProcess = { child, lines: [] };
  let buf = '';
  child.stdout!.on('data', (d) => {
    buf += String(d);
    const parts = buf.split('\n');
    buf = parts.pop()!;
    p.lines.push(...parts);
  });
  return waitFor(`${s.name} subscribed`, () => p.lines.includes('ready') || child.exitCode !== null, 20_000, 50).then(() => {
    if (child.exitCode !== null) throw new Error(`seed listener ${s.name} exited with ${child.exitCode}`);
    return p;
  });
}

describe('seed-era LVAlert listeners beside native ones (real Prosody with STARTTLS, Kafka, MongoDB)', () => {
  let app: ReturnType<typeof createApp>;
  const seedProcs = new Map<string, SeedProcess>();
  const nativeSessions: XmppSession[] = [];
  /** Stanzas each native listener's session received from the pubsub service. */
  const nativeInbound = new Map<string, number>();
  let owner: XmppSession;

  const view = () => app.monitor.view();
  const listener = (id: string) => view().listeners.find((l) => l.id === id);
  const baseUrl = () => `http://127.0.0.1:${app.port()}`;
  const roundsOf = async (node: string) => {
    const text = await (await fetch(`${baseUrl()}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith('watchkeeper_heartbeat_round_seconds_count{') && l.includes(`node="${node}"`))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  };

  let serverEnv: Record<string, string>;

  beforeAll(async () => {
    await buildApps(); // the check runs the real bin
    serverEnv = {
      XMPP_SERVICE: service,
      XMPP_DOMAIN: domain,
      XMPP_USERNAME: 'wk-server',
      XMPP_PASSWORD: password,
      XMPP_RESOURCE: `seed-int-${suite}`,
      HEARTBEAT_NODES: nativeNode,
      HEARTBEAT_EXPECTED: natives.map((n) => n.id).join(','),
      HEARTBEAT_INTERVAL_MS: String(NATIVE.intervalMs),
      HEARTBEAT_TIMEOUT_MS: String(NATIVE.timeoutMs),
      HEARTBEAT_RETRY_MS: '0', // no re-sends: a round's stanzas are exactly one publish and the answers
      // The seed node: its own section, as in lvalertHeartbeat's config.ini, open to its listeners' answers.
      HEARTBEAT_NODE_CONFIG: JSON.stringify({ [seedNode]: { ...SEED, expected: seeds.filter((s) => s.expected).map(seedId), publishModel: 'open' } }),
      HEARTBEAT_SERVER_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      MONGO_URL: mongoUrl,
      MONGO_DB: dbName,
    };
    app = createApp({ config: loadConfig(configSchema, serverEnv), logger, registry: createMetrics('seed-int') });
    await app.start(); // creates both nodes (the seed node with publish_model=open)

    for (const n of natives) {
      const session = new XmppSession({ credentials: { service, domain, username: n.account, password, resource: `seed-int-${suite}-${n.name}` }, logger, presence: false });
      const responder = createHeartbeatResponder({ send: session, identity: { name: n.name, host: 'native-host', user: 'u', pid: process.pid, version: 'test' }, pubsubService });
      nativeInbound.set(n.id, 0);
      session.on('stanza', (s: XmlElement) => {
        if (s.attrs.from === pubsubService) nativeInbound.set(n.id, nativeInbound.get(n.id)! + 1);
        responder.handle(s);
      });
      session.start();
      await session.waitOnline();
      await new PubsubClient(session, pubsubService).subscribe(nativeNode);
      nativeSessions.push(session);
    }
    for (const s of seeds) seedProcs.set(s.name, await startSeedListener(s));
    owner = new XmppSession({ credentials: { service, domain, username: 'wk-server', password, resource: `seed-int-owner-${suite}` }, logger, presence: false });
    owner.start();
    await owner.waitOnline();
  }, 90_000);

  afterAll(async () => {
    for (const p of seedProcs.values()) {
      p.child.kill('SIGCONT');
      p.child.kill('SIGTERM');
    }
    await Promise.all(nativeSessions.map((s) => s.stop()));
    await app?.stop().catch(() => undefined);
    if (owner?.isOnline) {
      const pubsub = new PubsubClient(owner, pubsubService);
      await pubsub.deleteNode(seedNode).catch(() => undefined);
      await pubsub.deleteNode(nativeNode).catch(() => undefined);
    }
    await owner?.stop();
    const conn = await mongoose.createConnection(mongoUrl, { dbName }).asPromise();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  }, 60_000);

  it('seed listeners answering are ok (id name@hostname, user kept); an unexpected one is "extra" with lastSeenAt', async () => {
    const [a, b, stray] = seeds.map(seedId);
    await waitFor('seed listeners ok, stray extra', () => listener(a)?.state === 'ok' && listener(b)?.state === 'ok' && listener(stray)?.state === 'extra', 30_000, 50);
    const res = ListenersResponse.parse(await (await fetch(`${baseUrl()}/v1/listeners?node=${seedNode}`)).json());
    expect(res.listeners.map((l) => `${l.id}:${l.state}:${l.expected}`).sort()).toEqual([`${a}:ok:true`, `${b}:ok:true`, `${stray}:extra:false`]);
    expect(res.listeners.find((l) => l.id === a)).toMatchObject({ host: 'ldas-1', user: 'gracedb', protocol: 'seed' });
    const extra = res.listeners.find((l) => l.id === stray)!;
    expect(extra.lastSeenAt).not.toBeNull();
    expect(Date.now() - Date.parse(extra.lastSeenAt!)).toBeLessThan(3 * SEED.intervalMs);
    expect(res.nodes).toEqual([expect.objectContaining({ node: seedNode, ...SEED })]);
    // Each answer came from a fresh TLS session of the seed client and was taken by its key.
    expect(seedProcs.get('seed-a')!.lines.filter((l) => l.startsWith('answered ')).length).toBeGreaterThan(0);
    expect(seedProcs.get('seed-a')!.lines.filter((l) => l.startsWith('publish-error'))).toEqual([]);
  }, 45_000);

  it("the Nagios check in the seed's mode (--once, one round by itself): expected seed listeners answer, the stray one makes it WARNING", async () => {
    // The node's own section gives this one-off round its timeout (4 s here), as the seed's config.ini did.
    const nodeConfig = { [seedNode]: { intervalMs: 6000, timeoutMs: 4000, expected: seeds.filter((s) => s.expected).map(seedId) } };
    const once = await runCheckCli(['--once', '--node', seedNode, '-t', '8'], { ...serverEnv, XMPP_RESOURCE: `seed-check-${suite}`, HEARTBEAT_NODE_CONFIG: JSON.stringify(nodeConfig) });
    expect(once.out.split('\n')[0]).toMatch(/^HEARTBEAT WARNING - .*received=3;;;0 missing=0;/);
    expect(once.out).toContain(seedId(seeds[2]));
    expect(once.code).toBe(1);
  }, 30_000);

  it('native listeners on their own node: ok, and a round costs one publish, N notifications and N answers', async () => {
    await waitFor('natives ok', () => natives.every((n) => listener(n.id)?.state === 'ok'), 30_000, 50);
    const before = new Map(nativeInbound);
    const rounds0 = await roundsOf(nativeNode);
    await new Promise((r) => setTimeout(r, 6 * NATIVE.intervalMs));
    const rounds = (await roundsOf(nativeNode)) - rounds0;
    expect(rounds).toBeGreaterThanOrEqual(4);
    // Each native listener got the round's one notification and nothing else (no seed answers here).
    for (const n of natives) {
      const got = nativeInbound.get(n.id)! - before.get(n.id)!;
      expect(Math.abs(got - rounds)).toBeLessThanOrEqual(1);
    }
    // The server's side of a complete round: one publish out, one answer in per listener.
    await waitFor('a complete native round', () => app.monitor.runner.lastRoundOf(nativeNode)?.complete === true, 10 * NATIVE.intervalMs, 20);
    const last = app.monitor.runner.lastRoundOf(nativeNode)!;
    expect({ out: last.messagesOut, in: last.messagesIn }).toEqual({ out: 1, in: natives.length });
  }, 60_000);

  it('each node runs at its own interval', async () => {
    const [seed0, native0] = [await roundsOf(seedNode), await roundsOf(nativeNode)];
    const windowMs = 8000;
    await new Promise((r) => setTimeout(r, windowMs));
    const seedRounds = (await roundsOf(seedNode)) - seed0;
    const nativeRounds = (await roundsOf(nativeNode)) - native0;
    expect(seedRounds).toBeGreaterThanOrEqual(windowMs / SEED.intervalMs - 1);
    expect(seedRounds).toBeLessThanOrEqual(windowMs / SEED.intervalMs + 1);
    expect(nativeRounds).toBeGreaterThanOrEqual(Math.floor(windowMs / NATIVE.intervalMs) - 1);
    expect(nativeRounds).toBeLessThanOrEqual(Math.ceil(windowMs / NATIVE.intervalMs) + 1);
  }, 20_000);

  it('a seed listener SIGSTOPped (process alive, not answering) goes missing; SIGCONT brings it back', async () => {
    const b = seedId(seeds[1]);
    await waitFor('seed-b ok', () => listener(b)?.state === 'ok', 6 * SEED.intervalMs, 50); // after the earlier tests' load
    seedProcs.get('seed-b')!.child.kill('SIGSTOP');
    const t0 = Date.now();
    await waitFor('seed-b missing', () => listener(b)?.state === 'missing', 4 * SEED.intervalMs + SEED.timeoutMs, 50);
    expect(Date.now() - t0).toBeLessThanOrEqual(2 * SEED.intervalMs + SEED.timeoutMs + 500);
    expect(listener(seedId(seeds[0]))?.state).toBe('ok');
    seedProcs.get('seed-b')!.child.kill('SIGCONT');
    await waitFor('seed-b ok again', () => listener(b)?.state === 'ok', 6 * SEED.intervalMs, 50);
  }, 90_000);

  it("Prosody's publish_model: 'subscribers' refuses the seed's answer (it publishes from a fresh resource), 'open' takes it", async () => {
    const pubsub = new PubsubClient(owner, pubsubService);
    const a = seedProcs.get('seed-a')!;
    await pubsub.configureNode(seedNode, { publish_model: 'subscribers' });
    try {
      const from = a.lines.length;
      await waitFor('a refused answer', () => a.lines.slice(from).some((l) => l.startsWith('publish-error')), 3 * SEED.intervalMs, 50);
      expect(a.lines.slice(from).find((l) => l.startsWith('publish-error'))).toBe('publish-error forbidden');
    } finally {
      await pubsub.configureNode(seedNode, { publish_model: 'open' });
    }
    const from = a.lines.length;
    await waitFor('answers taken again', () => a.lines.slice(from).some((l) => l.startsWith('answered ')), 3 * SEED.intervalMs, 50);
  }, 45_000);
});
