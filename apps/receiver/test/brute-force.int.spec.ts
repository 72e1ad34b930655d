import { randomInt } from 'node:crypto';
import mongoose from 'mongoose';
import { consumerGroupId, Topics, type AlertEvent, type SshAttempt, type SshEvent } from '@watchkeeper/contracts';
import { Partitioners } from 'kafkajs';
import { EventProducer } from '@watchkeeper/kafka';
import { collect, eventually, markTopic, MONGO_URL, startReceiver, TestClock, testKafka, uniq, type TestReceiver } from './support';

const MIN = 60_000;
const MAX_RETRY = 5;

/**
 * Brute-force detection on the stream, end to end on real Kafka and FerretDB: sshd events on
 * ssh-events → the receiver re-publishes the failed attempts keyed by source address → its
 * brute-force consumer (own group) → stateful alerts on the alerts topic.
 */
describe('brute-force detection on the ssh-attempts stream (fail2ban semantics)', () => {
  // Twenty past the hour: a test's attempts never straddle an hour (which would refresh a trigger).
  const clock = new TestClock(new Date('2026-03-03T12:20:00Z').getTime());
  const kafka = testKafka();
  const producer = new EventProducer(kafka, 'receiver-test');
  const env = {
    BRUTE_FORCE_THRESHOLD: String(MAX_RETRY),
    BRUTE_FORCE_WINDOW_MS: String(10 * MIN),
    BRUTE_FORCE_IGNORE_IP: '192.0.2.77, 198.18.77.0/24 2001:db8:77::/48',
    BRUTE_FORCE_GROUP: uniq('wk-test-brute-force'),
    RECEIVER_SSH_GROUP: uniq('wk-test-receiver-ssh'),
  };
  let r: TestReceiver;

  let n = 0;
  const failed = (host: string, ip: string, time: number, extra: Partial<SshEvent> = {}): SshEvent => ({
    id: `${host}:auth.log:${n++}`,
    host,
    time: new Date(time).toISOString(),
    timeText: 'x',
    kind: 'failed',
    program: 'sshd',
    pid: 1000 + n,
    method: 'password',
    user: 'root',
    sourceIp: ip,
    count: 1,
    ...extra,
  });
  const send = (events: SshEvent[]) => producer.publishMany(Topics.sshEvents, events.map((value) => ({ value, opts: { id: value.id } })));
  const freshIp = () => `203.0.${randomInt(0, 255)}.${randomInt(1, 254)}`;

  /** The attempts the detector holds for an address (sum of counts), read from its partition snapshot. */
  const held = async (ip: string): Promise<number | undefined> => {
    const docs = await r.svc.parts.bruteForce.snapshots.find().lean();
    const src = docs.flatMap((d) => d.sources).find((s) => s.ip === ip);
    return src?.attempts.reduce((sum, a) => sum + a.n, 0);
  };
  const metric = async (name: string, labels: string): Promise<number> => {
    const text = await (await fetch(`${r.base}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const newest = async (ip: string): Promise<number | undefined> => {
    const docs = await r.svc.parts.bruteForce.snapshots.find().lean();
    return docs.flatMap((d) => d.sources).find((s) => s.ip === ip)?.maxTime;
  };
  const alertState = (ip: string) => r.svc.parts.bruteForce.alerts.model.findOne({ subject: ip }).lean();

  async function start(dbName?: string): Promise<void> {
    r = await startReceiver(env, { clock, dbName });
    await r.svc.parts.sshJoined;
    await r.svc.parts.bruteForceJoined;
    // Both groups read from "now": a probe attempt, re-sent until the detector holds it, shows that
    // everything sent later is seen.
    const probe = freshIp();
    await eventually(async () => {
      await send([failed(uniq('probe'), probe, clock.t - 60 * MIN)]);
      return (await held(probe)) !== undefined;
    }, 60_000, 'probe attempt held');
  }

  beforeAll(async () => {
    await producer.connect();
    await start();
  }, 120_000);
  afterAll(async () => {
    await producer.disconnect();
    await r.stop();
  });

  it('attempts from one address against several hosts count together and trigger once, at exactly maxretry; the sweep releases after a quiet findtime', async () => {
    const mark = await markTopic(kafka, Topics.alerts);
    const ip = freshIp();
    const hosts = [uniq('web'), uniq('db'), uniq('bastion')];
    const t0 = clock.t - 8 * MIN;
    const attempts = Array.from({ length: 8 }, (_, i) => failed(hosts[i % 3], ip, t0 + i * 30_000));
    await send(attempts.slice(0, MAX_RETRY - 1));
    await eventually(async () => (await held(ip)) === MAX_RETRY - 1, 60_000, 'four attempts held');
    expect(await alertState(ip)).toBeNull();

    await send([attempts[MAX_RETRY - 1]]);
    await eventually(async () => (await alertState(ip))?.active === true, 60_000, 'alert open');
    await send(attempts.slice(MAX_RETRY));
    await eventually(async () => (await newest(ip)) === Date.parse(attempts[7].time), 60_000, 'all eight applied');

    // Still inside findtime of the last attempt on the wall clock: the sweep keeps it open.
    await r.svc.parts.bruteForce.sweep(clock.advance(5 * MIN));
    expect((await alertState(ip))?.active).toBe(true);
    await r.svc.parts.bruteForce.sweep(clock.advance(5 * MIN));
    expect(await alertState(ip)).toBeNull(); // released: only open alerts are stored

    const alerts = await collect<AlertEvent>(kafka, Topics.alerts, mark, (a) => a.entity.id === ip, 2);
    expect(alerts.map((a) => [a.value.action, a.value.type, a.value.entity.kind])).toEqual([
      ['trigger', 'ssh-brute-force', 'source'],
      ['release', 'ssh-brute-force', 'source'],
    ]);
    expect(alerts[0].value.occurredAt).toBe(attempts[MAX_RETRY - 1].time); // event time of the 5th attempt
    expect(alerts[0].value.description).toMatch(/^5 failed SSH login attempts within 10 min/);
    expect(await metric('watchkeeper_brute_force_alerts_total', 'action="trigger"')).toBe(1);
  });

  it('never counts an ignored address or block (IPv4 and IPv6)', async () => {
    const host = uniq('ign');
    const before = await metric('watchkeeper_brute_force_attempts_total', 'outcome="ignored"');
    const ips = ['192.0.2.77', '198.18.77.200', '2001:db8:77:1::9'];
    await send(ips.flatMap((ip) => Array.from({ length: 3 * MAX_RETRY }, (_, i) => failed(host, ip, clock.t - 5 * MIN + i * 1000))));
    await eventually(async () => (await metric('watchkeeper_brute_force_attempts_total', 'outcome="ignored"')) - before === 3 * 3 * MAX_RETRY, 60_000, 'ignored attempts');
    for (const ip of ips) {
      expect(await alertState(ip)).toBeNull();
      expect(await held(ip)).toBeUndefined();
    }
    // Their neighbours outside the list do count.
    const neighbour = '198.18.78.1';
    await send(Array.from({ length: MAX_RETRY }, (_, i) => failed(host, neighbour, clock.t - 2 * MIN + i * 1000)));
    await eventually(async () => (await alertState(neighbour))?.active === true, 60_000, 'neighbour alert');
  });

  it('redelivered events count nothing twice', async () => {
    const ip = freshIp();
    const host = uniq('redeliver');
    const four = Array.from({ length: MAX_RETRY - 1 }, (_, i) => failed(host, ip, clock.t - 3 * MIN + i * 1000));
    const dupBefore = await metric('watchkeeper_brute_force_attempts_total', 'outcome="duplicate"');
    await send(four);
    await eventually(async () => (await held(ip)) === MAX_RETRY - 1, 60_000, 'four held');
    // The same events again (the collector re-sending after a crash), and the same attempts directly.
    await send(four);
    await producer.publishMany(Topics.sshAttempts, four.map((e) => ({ value: { id: e.id, sourceIp: ip, host, time: e.time, kind: 'failed' as const, count: 1 } satisfies SshAttempt, opts: { id: e.id } })));
    await eventually(async () => (await metric('watchkeeper_brute_force_attempts_total', 'outcome="duplicate"')) - dupBefore >= 2 * (MAX_RETRY - 1), 60_000, 'duplicates skipped');
    expect(await held(ip)).toBe(MAX_RETRY - 1);
    expect(await alertState(ip)).toBeNull();
  });

  it('a backlog whose window closed long ago is recorded (a stored alert) and opens nothing', async () => {
    const mark = await markTopic(kafka, Topics.alerts);
    const ip = freshIp();
    const host = uniq('backlog');
    const twoDaysAgo = clock.t - 2 * 24 * 60 * MIN;
    await send(Array.from({ length: 3 * MAX_RETRY }, (_, i) => failed(host, ip, twoDaysAgo + i * 10_000)));
    const alerts = await collect<AlertEvent>(kafka, Topics.alerts, mark, (a) => a.entity.id === ip, 1);
    expect(alerts.map((a) => [a.value.action, a.value.type, a.value.occurredAt])).toEqual([['store', 'ssh-brute-force', new Date(twoDaysAgo + 4 * 10_000).toISOString()]]);
    await eventually(async () => (await held(ip)) !== undefined, 30_000, 'backlog held');
    await r.svc.parts.bruteForce.sweep(clock.now());
    expect(await alertState(ip)).toBeNull(); // no stateful alert: nothing open, nothing to release
  });

  it('releases on the stream once event time has moved findtime past the last attempt', async () => {
    const mark = await markTopic(kafka, Topics.alerts);
    const ip = freshIp();
    // Another address on the same partition moves that partition's event time on.
    const partitionOf = partitionFinder();
    const other = eventuallySync(() => {
      const c = freshIp();
      return c !== ip && partitionOf(c) === partitionOf(ip) ? c : undefined;
    });
    const host = uniq('stream');
    const t0 = clock.t - 10_000;
    await send(Array.from({ length: MAX_RETRY }, (_, i) => failed(host, ip, t0 + i * 1000)));
    await eventually(async () => (await alertState(ip))?.active === true, 60_000, 'alert open');
    // The next attempt on that partition comes findtime after the last one (the receiver's clock has
    // moved there too: an attempt stamped ahead of it would count as now, not move the stream on).
    clock.advance(4000 + 10 * MIN);
    await send([failed(host, other, t0 + 4000 + 10 * MIN)]);
    await eventually(async () => (await alertState(ip)) === null, 60_000, 'released by the stream');
    const alerts = await collect<AlertEvent>(kafka, Topics.alerts, mark, (a) => a.entity.id === ip, 2);
    expect(alerts.map((a) => [a.value.action, a.value.occurredAt])).toEqual([
      ['trigger', new Date(t0 + 4000).toISOString()],
      ['release', new Date(t0 + 4000 + 10 * MIN).toISOString()],
    ]);
  });

  it('a restart restores the window from its snapshot: redelivered attempts are not counted again, the remaining ones trigger at exactly maxretry', async () => {
    const mark = await markTopic(kafka, Topics.alerts);
    const attemptsMark = await markTopic(kafka, Topics.sshAttempts);
    const ip = freshIp();
    const host = uniq('restart');
    // Later than everything sent so far: no partition's event time is already past this window.
    const t0 = clock.advance(11 * MIN).getTime() - 10_000; // just before the receiver's clock
    const attempts = Array.from({ length: MAX_RETRY }, (_, i) => failed(host, ip, t0 + i * 1000));
    await send(attempts.slice(0, 3));
    await eventually(async () => (await held(ip)) === 3, 60_000, 'three held');

    const dbName = r.dbName;
    await r.stop({ drop: false });
    // As if it had died after writing the snapshot and before committing: the group goes back to
    // before the three attempts, so they are delivered again after the restart.
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: consumerGroupId(env.BRUTE_FORCE_GROUP), topic: Topics.sshAttempts.name, partitions: attemptsMark.map((p) => ({ partition: p.partition, offset: p.offset })) });
    await admin.disconnect();

    await start(dbName);
    await send([attempts[3]]);
    await eventually(async () => (await held(ip)) === 4, 60_000, 'fourth held');
    expect(await metric('watchkeeper_brute_force_attempts_total', 'outcome="duplicate"')).toBeGreaterThanOrEqual(3);
    expect(await alertState(ip)).toBeNull();
    await send([attempts[4]]);
    await eventually(async () => (await alertState(ip))?.active === true, 60_000, 'alert open at the fifth attempt');
    const alerts = await collect<AlertEvent>(kafka, Topics.alerts, mark, (a) => a.entity.id === ip, 1);
    expect(alerts.map((a) => [a.value.action, a.value.occurredAt])).toEqual([['trigger', attempts[4].time]]);
  }, 120_000);
  it('a graceful restart (offsets committed, nothing replayed) keeps the window from the snapshot alone', async () => {
    const ip = freshIp();
    const host = uniq('graceful');
    const t0 = clock.advance(11 * MIN).getTime() - 10_000; // just before the receiver's clock
    const attempts = Array.from({ length: MAX_RETRY }, (_, i) => failed(host, ip, t0 + i * 1000));
    await send(attempts.slice(0, 3));
    await eventually(async () => (await held(ip)) === 3, 60_000, 'three held');
    const dbName = r.dbName;
    await r.stop({ drop: false });
    await start(dbName);
    await send([attempts[3]]);
    await eventually(async () => (await held(ip)) === 4, 60_000, 'fourth held');
    expect(await alertState(ip)).toBeNull();
    await send([attempts[4]]);
    await eventually(async () => (await alertState(ip))?.active === true, 60_000, 'alert open at the fifth attempt');
  }, 120_000);
  it('the first start of a group releases brute-force alerts no window holds (left open by the earlier detector)', async () => {
    const mark = await markTopic(kafka, Topics.alerts);
    const ip = freshIp();
    const dbName = `wk_test_receiver_bf_${Date.now().toString(36)}`;
    const conn = await mongoose.createConnection(MONGO_URL, { dbName }).asPromise();
    const since = new Date(clock.t - 3 * 60 * MIN);
    await conn.collection('ssh_bruteforce_alerts').insertOne({ _id: `${ip}|brute-force`, subject: ip, symptom: 'brute-force', active: true, since, notifiedBucket: 1 } as never);
    await conn.close();
    const other = await startReceiver({ ...env, BRUTE_FORCE_GROUP: uniq('wk-test-brute-force') }, { clock, dbName });
    try {
      expect(await other.svc.parts.bruteForce.alerts.model.findOne({ subject: ip }).lean()).toBeNull();
      const alerts = await collect<AlertEvent>(kafka, Topics.alerts, mark, (a) => a.entity.id === ip, 1);
      expect(alerts.map((a) => [a.value.action, a.value.id])).toEqual([['release', `receiver:${ip}|brute-force:release:${since.getTime()}`]]);
      // Once the group has a snapshot, its open alerts are its own: later starts leave them alone.
      await other.svc.parts.bruteForceJoined;
      await eventually(async () => {
        await send([failed(uniq('leftover'), freshIp(), clock.t)]);
        return (await other.svc.parts.bruteForce.snapshots.countDocuments()) > 0;
      }, 60_000, 'a snapshot of the new group');
      const mine = freshIp();
      await other.svc.parts.bruteForce.alerts.model.create({ _id: `${mine}|brute-force`, subject: mine, symptom: 'brute-force', active: true, since, notifiedBucket: 1 });
      expect(await other.svc.parts.bruteForce.releaseLeftovers()).toBe(0);
      expect((await other.svc.parts.bruteForce.alerts.model.findOne({ subject: mine }).lean())?.active).toBe(true);
    } finally {
      await other.stop();
    }
  }, 120_000);
});

/** The partition of the attempts topic an address lands on, as the producer decides it. */
function partitionFinder(): (key: string) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: Topics.sshAttempts.partitions }, (_, i) => ({ partitionErrorCode: 0, partitionId: i, leader: 1, replicas: [1], isr: [1], offlineReplicas: [] }));
  return (key) => partitioner({ topic: Topics.sshAttempts.name, partitionMetadata, message: { key, value: null } });
}

function eventuallySync<T>(pick: () => T | undefined): T {
  for (let i = 0; i < 10_000; i++) {
    const v = pick();
    if (v !== undefined) return v;
  }
  throw new Error('nothing found');
}
