import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { consumerGroupId, Topics, topicPrefix, type AccountingResponse, type AlertEvent } from '@watchkeeper/contracts';
import { createKafka, ensureTopics, EventProducer, positionAtEnd } from '@watchkeeper/kafka';
import { connectMongo } from '@watchkeeper/mongo';
import { createLogger, waitFor } from '@watchkeeper/runtime';

/**
 * SIGKILL the built dispatcher (`npx tsc -b` first; npm test does) in the middle of a flood, restart
 * it, and check the books: for this run's recipients, received = delivered + dropped + dead-lettered +
 * silenced + queued, exactly (GET /v1/accounting), each alert recorded once, and the sink's own count
 * agrees. The README's claim for a crash: only the digests sent and not yet logged at the kill may be
 * sent again (their items are still open in their segments): at most `sendWindow` digests per
 * recipient, since a worker sends the next digest while the records of up to sendWindow-1 earlier ones
 * are being written (at-least-once); nothing else twice.
 */
const SEND_WINDOW = 4;
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const TOKEN = `crash-admin-${randomUUID()}`;
const bin = path.join(__dirname, '../bin/watchkeeper-alert-dispatcher.js');
const logger = createLogger({ service: 'alert-dispatcher-crash-test', level: 'warn' });

interface Received {
  at: number;
  digestId: string;
  ids: string[];
}

/** A real HTTP sink: /ok answers 200, /reject 400 (a permanent failure: dead letter). */
async function startSink() {
  const ok: Received[] = [];
  let rejected = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { digestId: string; notifications: Array<{ alertId: string }> };
      if (req.url === '/ok') ok.push({ at: Date.now(), digestId: body.digestId, ids: body.notifications.map((n) => n.alertId) });
      else rejected += 1;
      res.writeHead(req.url === '/ok' ? 200 : 400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    ok,
    rejected: () => rejected,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('alert-dispatcher bin: SIGKILL mid-flood, restart, the books still balance', () => {
  const run = `crash_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
  const dbName = `wk_test_${run}`;
  const groupId = `wk-test-${run}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-ad-crash-'));
  const kafka = createKafka({ brokers: [KAFKA_BROKERS], clientId: `test-${run}`, logger });
  const producer = new EventProducer(kafka, 'test/alert-dispatcher-crash');
  let sink: Awaited<ReturnType<typeof startSink>>;
  let port: number;
  let child: ChildProcess | undefined;
  let output = '';
  // The notifications topic as a downstream tool reads it: every outcome the bin published for this
  // suite's recipients, checked against the contract (the bin produces through libs/kafka's fast path).
  const outcomes: Array<{ alertId: string; recipient: string; outcome: string }> = [];
  let invalidOutcomes = 0;
  const outcomeGroupId = `wk-test-outcomes-${run}`;
  const outcomeConsumer = kafka.consumer({ groupId: outcomeGroupId });

  const spawnDispatcher = () => {
    const p = spawn(process.execPath, [bin], {
      env: {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS,
        WATCHKEEPER_TOPIC_PREFIX: topicPrefix,
        MONGO_URL,
        ALERT_DISPATCHER_MONGO_DB: dbName,
        ALERT_DISPATCHER_GROUP_ID: groupId,
        ALERT_DISPATCHER_ROUTING_FILE: path.join(dir, 'routing.yaml'),
        ALERT_DISPATCHER_PORT: String(port),
        HTTP_HOST: '127.0.0.1',
        WATCHKEEPER_ADMIN_TOKEN: TOKEN,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    p.stdout!.on('data', (d) => (output = (output + d).slice(-20_000)));
    p.stderr!.on('data', (d) => (output = (output + d).slice(-20_000)));
    return p;
  };
  const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  /** A failed wait shows what the dispatcher logged. */
  const withOutput = <T>(p: Promise<T>) =>
    p.catch((err: Error) => {
      throw new Error(`${err.message}\n--- dispatcher output ---\n${output}`);
    });
  const ready = () => withOutput(waitFor('dispatcher ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 60_000));
  const exited = (p: ChildProcess) => new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));

  beforeAll(async () => {
    sink = await startSink();
    port = await freePort();
    fs.writeFileSync(
      path.join(dir, 'routing.yaml'),
      `
recipients:
  crash-hook:
    type: webhook
    url: "${sink.url('/ok')}"
    capacity: 5000
    perSourceQuota: 300
    maxDigest: 50
    sendWindow: ${SEND_WINDOW}
    rateLimit: { max: 20, per: 1s }
  crash-reject:
    type: webhook
    url: "${sink.url('/reject')}"
pools:
  # Only this run's alerts are routed: other suites' alerts on the shared topic are recorded, never sent.
  - name: rejects
    match: { labels: { crash_run: "${run}" }, types: [crash-reject] }
    recipients: [crash-reject]
    stop: true
  - name: run
    match: { labels: { crash_run: "${run}" } }
    recipients: [crash-hook]
`,
    );
    await ensureTopics(kafka, [Topics.alerts, Topics.notifications, Topics.deadLetter]);
    await producer.connect();
    // Positioned at the topic's end as measured at the join, so no outcome produced after it is skipped.
    let outcomesPositioned = false;
    outcomeConsumer.on(outcomeConsumer.events.GROUP_JOIN, (e) =>
      void positionAtEnd(kafka, outcomeConsumer, outcomeGroupId, Topics.notifications.name, e.payload.memberAssignment[Topics.notifications.name] ?? []).then(() => (outcomesPositioned = true)),
    );
    await outcomeConsumer.connect();
    await outcomeConsumer.subscribe({ topic: Topics.notifications.name, fromBeginning: false });
    await outcomeConsumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          let raw: { recipient?: string } | undefined;
          try {
            raw = JSON.parse(m.value!.toString()) as { recipient?: string };
          } catch {
            raw = undefined;
          }
          if (raw && !raw.recipient?.startsWith('crash-')) continue; // other suites' recipients
          const parsed = Topics.notifications.schema.safeParse(raw);
          if (!parsed.success) invalidOutcomes += 1;
          else outcomes.push(parsed.data);
        }
      },
    });
    await waitFor('outcome consumer positioned', () => outcomesPositioned, 30_000);
    // A new group starts at the oldest retained alert; start this one at the end of the shared topic instead.
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(Topics.alerts.name);
    await admin.setOffsets({ groupId: consumerGroupId(groupId), topic: Topics.alerts.name, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    await admin.disconnect();
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
    await producer.disconnect();
    await outcomeConsumer.disconnect();
    await sink?.close();
    const conn = await connectMongo({ url: MONGO_URL, dbName, logger });
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('counts every alert exactly once across a SIGKILL; only the digests not yet logged (at most sendWindow) may be sent twice', async () => {
    child = spawnDispatcher();
    await ready();
    await api('POST', '/v1/silences', {
      matchers: [{ name: 'muted', value: 'yes' }, { name: 'crash_run', value: run }],
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'crash test',
      comment: 'silenced alerts must be counted, not lost',
    });

    // The flood: one noisy entity (over its per-source quota: drops), twenty quiet ones, some silenced,
    // some for a recipient that refuses them (dead letters). Produced in waves, before and after the kill.
    const labels = { crash_run: run };
    const mk = (i: number): AlertEvent => {
      const kind = i % 10;
      return {
        id: randomUUID(),
        action: 'store',
        type: kind === 9 ? 'crash-reject' : `crash-${i % 4}`,
        severity: 'warning',
        entity: { kind: 'host', id: kind < 5 ? `noisy-${run}` : `quiet-${i % 20}-${run}` },
        labels: kind === 8 ? { ...labels, muted: 'yes' } : labels,
        source: 'alert-dispatcher-crash-test',
        occurredAt: new Date().toISOString(),
        summary: `crash flood #${i}`,
      } as AlertEvent;
    };
    const N = 4000;
    const alerts = Array.from({ length: N }, (_, i) => mk(i));
    const waves: AlertEvent[][] = [];
    for (let i = 0; i < N; i += 250) waves.push(alerts.slice(i, i + 250));
    const publish = (wave: AlertEvent[]) => producer.publishMany(Topics.alerts, wave.map((a) => ({ value: a, opts: { id: a.id } })));
    const from = new Date(Date.now() - 1000);

    // Waves keep coming (before, during and after the kill), so the kill lands mid-ingest and mid-delivery.
    let killed = false;
    const producing = (async () => {
      for (const wave of waves) {
        await publish(wave);
        await new Promise((r) => setTimeout(r, killed ? 0 : 100));
      }
    })();
    await withOutput(waitFor('first deliveries', () => sink.ok.length >= 2, 30_000, 10));
    const firstLife = child;
    firstLife.kill('SIGKILL');
    await exited(firstLife);
    killed = true;
    const killedAt = Date.now();
    const deliveredBeforeKill = new Set(sink.ok.flatMap((r) => r.ids)).size;
    const conn = await connectMongo({ url: MONGO_URL, dbName, logger });
    const interrupted = await conn.db!.collection('alert_consumer_progress').countDocuments({ pending: { $ne: null } });
    const inflight = await conn.db!.collection('delivery_queue').countDocuments({ state: 'inflight' });
    await conn.close();
    await producing;

    const restartAt = Date.now();
    child = spawnDispatcher();
    await ready(); // the group rebalances once the killed member's session ends
    const readyMs = Date.now() - restartAt;
    const routedHere = (r: string) => alerts.filter((a) => (r === 'crash-reject' ? a.type === 'crash-reject' : a.type !== 'crash-reject')).length;
    // At rest: every alert of the run recorded, nothing waiting, and the books unchanged over a second.
    // (Accounting reads several collections without a transaction, so a read while a batch is being
    // written can be off by that batch; see the README.) A real loss stays unbalanced at rest.
    const accounting = () => api<AccountingResponse>('GET', `/v1/accounting?from=${from.toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`);
    const settled = (a: AccountingResponse) => {
      const hook = a.byRecipient['crash-hook'];
      const reject = a.byRecipient['crash-reject'];
      return hook?.received === routedHere('crash-hook') && reject?.received === routedHere('crash-reject') && hook.queued === 0 && reject.queued === 0;
    };
    let previous = '';
    const acc = await withOutput(
      waitFor(
        'every alert recorded and no notification waiting, at rest',
        async () => {
          const a = await accounting();
          const key = JSON.stringify(a.byRecipient);
          const atRest = settled(a) && key === previous;
          previous = key;
          return atRest ? a : undefined;
        },
        120_000,
        1000,
      ),
    );
    const hook = acc.byRecipient['crash-hook'];
    const reject = acc.byRecipient['crash-reject'];
    console.log(
      `crash: killed after ${deliveredBeforeKill} alerts delivered, ${interrupted} batch(es) interrupted mid-ingest, ${inflight} notification(s) in flight; ready again after ${readyMs} ms; at rest: ${JSON.stringify({ hook, reject })}; ` +
        `sink requests ${sink.ok.length} ok, ${sink.rejected()} rejected`,
    );
    // Mid-flood: the kill came before the work was done.
    expect(deliveredBeforeKill).toBeLessThan(hook.delivered);

    // The equation, per recipient and in total, exactly.
    for (const c of [hook, reject]) expect(c.received).toBe(c.delivered + c.dropped + c.deadLettered + c.silenced + c.queued);
    expect(acc.balanced).toBe(true);
    expect(acc.received).toBe(acc.delivered + acc.dropped + acc.deadLettered + acc.silenced + acc.queued);

    // Each cause where it belongs: silences counted (not lost), the noisy entity's drops by cause, refusals dead-lettered.
    const muted = alerts.filter((a) => a.labels?.muted === 'yes').length;
    expect(hook.silenced).toBe(muted);
    expect(hook.dropped).toBeGreaterThan(0);
    expect(hook.droppedByCause['source-quota'] ?? 0).toBe(hook.dropped);
    expect(hook.deadLettered).toBe(0);
    expect(reject).toMatchObject({ delivered: 0, silenced: 0, queued: 0 });
    expect(reject.deadLettered + reject.dropped).toBe(routedHere('crash-reject'));
    expect(reject.deadLettered).toBeGreaterThan(0);

    // Cross-check with what the sink received: the same delivered count, only this run's alerts.
    const ids = new Set(alerts.map((a) => a.id));
    const received = sink.ok.flatMap((r) => r.ids);
    expect(received.every((id) => ids.has(id))).toBe(true);
    const unique = new Set(received);
    expect(unique.size).toBe(hook.delivered);
    const quietIds = new Set(alerts.filter((a) => a.type !== 'crash-reject' && a.labels?.muted !== 'yes' && !a.entity.id.startsWith('noisy-')).map((a) => a.id));
    for (const id of quietIds) expect(unique.has(id)).toBe(true); // quiet entities stay under their quota: all delivered

    // Twice only what was sent and not yet logged at the kill: at most sendWindow digests of crash-hook,
    // sent before the kill, each alert of them at most twice.
    const count = new Map<string, number>();
    for (const id of received) count.set(id, (count.get(id) ?? 0) + 1);
    const twice = [...count].filter(([, n]) => n > 1);
    expect(twice.every(([, n]) => n === 2)).toBe(true);
    const firstCopies = sink.ok.filter((r) => r.at <= killedAt + 1000 && r.ids.some((id) => count.get(id)! > 1));
    expect(firstCopies.length).toBeLessThanOrEqual(SEND_WINDOW);
    expect(twice.every(([id]) => firstCopies.some((r) => r.ids.includes(id)))).toBe(true);
    console.log(`crash: ${twice.length} alert(s) of ${firstCopies.length} unlogged digest(s) (sendWindow ${SEND_WINDOW}) re-sent after the restart`);

    // The notifications topic tells the same story: valid outcome events, each delivered alert with a
    // delivered outcome, each drop, silence and dead letter with its own (a re-published one counted once).
    const ofRun = (r: string, what: string) => new Set(outcomes.filter((o) => o.recipient === r && o.outcome === what && ids.has(o.alertId)).map((o) => o.alertId));
    await withOutput(waitFor('every outcome on the notifications topic', () => ofRun('crash-hook', 'delivered').size >= unique.size && ofRun('crash-reject', 'dead_lettered').size >= reject.deadLettered, 30_000, 200));
    expect(invalidOutcomes).toBe(0);
    expect(ofRun('crash-hook', 'delivered')).toEqual(unique);
    expect(ofRun('crash-hook', 'dropped').size).toBe(hook.dropped);
    expect(ofRun('crash-hook', 'silenced').size).toBe(hook.silenced);
    expect(ofRun('crash-reject', 'dead_lettered').size).toBe(reject.deadLettered);

    // The restarted process exits cleanly on SIGTERM.
    child.kill('SIGTERM');
    await exited(child);
    expect(child.exitCode).toBe(0);
  }, 180_000);
});
