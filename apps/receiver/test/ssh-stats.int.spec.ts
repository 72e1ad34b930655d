import { randomInt } from 'node:crypto';
import { SshHostDay, SshLoginsDayResponse, SshLoginsRangeResponse, SshSourcesResponse, Topics, type AlertEvent, type SshEvent } from '@watchkeeper/contracts';
import { EventProducer } from '@watchkeeper/kafka';
import { SshStatsAccumulator } from '@watchkeeper/ssh-stats';
import { asAny, collect, markTopic, eventually, startReceiver, TestClock, testKafka, uniq, type TestReceiver, type TopicMark } from './support';

const TZ = 'Asia/Kolkata'; // +05:30: day boundaries that are not UTC's

/** Three days of one host's sshd life, with the cases that make counting hard. */
function sampleEvents(host: string): SshEvent[] {
  let n = 0;
  const ev = (time: string, pid: number, kind: SshEvent['kind'], extra: Partial<SshEvent> = {}): SshEvent => ({
    id: `${host}:auth.log:${n++}`,
    host,
    time,
    timeText: time,
    kind,
    program: 'sshd',
    pid,
    count: 1,
    ...extra,
  });
  return [
    ev('2026-03-01T04:00:00Z', 100, 'accepted', { method: 'publickey', sourceIp: '10.0.0.5', user: 'ops' }),
    ev('2026-03-01T04:00:01Z', 100, 'session_opened', { user: 'ops' }),
    ev('2026-03-01T10:00:00Z', 101, 'invalid_user', { sourceIp: '203.0.113.7', user: 'admin' }),
    ev('2026-03-01T10:00:02Z', 101, 'failed', { method: 'none', sourceIp: '203.0.113.7' }),
    ev('2026-03-01T10:00:04Z', 101, 'failed', { method: 'password', sourceIp: '203.0.113.7', count: 3 }),
    ev('2026-03-01T10:00:05Z', 101, 'disconnected', { sourceIp: '203.0.113.7', sourceInferred: true }),
    // 18:29 UTC = 23:59 in Kolkata: the session starts on the 1st there and goes on past midnight.
    ev('2026-03-01T18:29:00Z', 102, 'accepted', { method: 'password', sourceIp: '198.51.100.2' }),
    ev('2026-03-01T18:45:00Z', 102, 'session_closed'),
    // PID 100 again within 24 h: same session; PID 101 again after > 24 h: a new one.
    ev('2026-03-02T03:00:00Z', 100, 'session_closed'),
    ev('2026-03-02T10:00:06Z', 101, 'connection_closed', { sourceIp: '192.0.2.9' }),
    ev('2026-03-02T12:00:00Z', 0, 'failed', { method: 'password', sourceIp: '192.0.2.9' }),
    ev('2026-03-03T11:00:00Z', 101, 'failed', { method: 'keyboard-interactive/pam', sourceIp: '192.0.2.9' }),
    ev('2026-03-03T11:00:01Z', 103, 'auth_failure', { sourceIp: '192.0.2.10' }),
  ];
}

describe('ssh statistics from the ssh-events topic', () => {
  const clock = new TestClock(new Date('2026-03-03T12:00:00Z').getTime());
  let r: TestReceiver;
  const kafka = testKafka();
  const producer = new EventProducer(kafka, 'receiver-test');

  let mark: TopicMark;
  beforeAll(async () => {
    mark = await markTopic(kafka, Topics.alerts);
    r = await startReceiver({ SSH_STATS_TZ: TZ, RECEIVER_SSH_GROUP: uniq('wk-test-receiver-ssh'), BRUTE_FORCE_THRESHOLD: '5', BRUTE_FORCE_WINDOW_MS: String(10 * 60_000) }, { clock });
    await producer.connect();
    // The group reads from "now": after it joined, a probe event (re-sent until it is stored) shows
    // that its starting offsets are fixed, so nothing published later can be missed.
    await r.svc.parts.sshJoined;
    await r.svc.parts.bruteForceJoined;
    const probeHost = uniq('probe');
    await eventually(async () => {
      const probe: SshEvent = { id: `${probeHost}:0`, host: probeHost, time: '2026-01-01T00:00:00Z', timeText: 'x', kind: 'session_opened', program: 'sshd', pid: 1, count: 1 };
      await producer.publish(Topics.sshEvents, probe, { id: probe.id });
      return (await r.svc.parts.sshEvents.appliedCount([probe])) > 0;
    }, 60_000, 'probe event stored');
  }, 90_000);
  afterAll(async () => {
    await producer.disconnect();
    await r.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(`${r.base}${path}`, { headers: r.admin });
    expect(res.status).toBe(200);
    return res.json().then(asAny);
  };

  it('stores each event once (replays and duplicates change nothing) and its figures equal the collector count', async () => {
    const host = uniq('alpha');
    const events = sampleEvents(host);
    // Sent in two overlapping deliveries, the second also out of order: at-least-once as it happens.
    await producer.publishMany(Topics.sshEvents, events.slice(0, 9).map((value) => ({ value, opts: { id: value.id } })));
    await producer.publishMany(Topics.sshEvents, [...events.slice(5)].reverse().map((value) => ({ value, opts: { id: value.id } })));
    await eventually(async () => (await r.svc.parts.sshEvents.appliedCount(events)) === events.length, 60_000, 'all events stored');

    const expected = new SshStatsAccumulator({ timeZone: TZ }).addAll(events).days();
    const range = SshLoginsRangeResponse.parse(await get(`/v1/ssh-logins/range?from=2026-02-28&to=2026-03-04&host=${host}`));
    expect(range.timeZone).toBe(TZ);
    expect(range.dates).toEqual(['2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']);
    const days = range.hosts[0].days;
    expect(days.filter((d) => d.stats).map((d) => d.stats)).toEqual(expected);
    // No event that day: "no data" (null), not zeros.
    expect(days[0].stats).toBeNull();
    expect(days[4].stats).toBeNull();
    expect(days[1].stats).toMatchObject({ sessions: 3, accepted: 2, failed: 3, invalidUser: 1 });

    // Every single-day answer equals the range answer for that day (the look-back gives the same sessions).
    for (const d of days) {
      const one = SshHostDay.parse(await get(`/v1/ssh-logins/${host}/${d.date}`));
      expect(one).toEqual(d);
    }
    const all = SshLoginsDayResponse.parse(await get('/v1/ssh-logins?date=2026-03-02'));
    expect(all.hosts.find((h) => h.host === host)?.stats).toEqual(expected.find((e) => e.date === '2026-03-02'));
    const unknown = SshHostDay.parse(await get(`/v1/ssh-logins/${uniq('never')}/2026-03-02`));
    expect(unknown.stats).toBeNull();

    // Replay everything once more: nothing changes.
    await producer.publishMany(Topics.sshEvents, events.map((value) => ({ value, opts: { id: value.id } })));
    const marker = { ...events[0], id: `${host}:marker`, time: '2026-03-10T00:00:00Z' };
    await producer.publish(Topics.sshEvents, marker, { id: marker.id });
    await eventually(async () => (await r.svc.parts.sshEvents.appliedCount([...events, marker])) === events.length + 1, 60_000, 'marker stored');
    const again = SshLoginsRangeResponse.parse(await get(`/v1/ssh-logins/range?from=2026-02-28&to=2026-03-04&host=${host}`));
    expect(again.hosts[0].days).toEqual(days);
  });

  it('lists every known host on a date, the silent ones with stats null and when they were last heard from', async () => {
    const talking = uniq('talking');
    const silent = uniq('silent');
    await r.hostAuth(silent); // a token issued, nothing sent
    const e: SshEvent = { id: `${talking}:0`, host: talking, time: '2026-03-04T08:00:00Z', timeText: 'x', kind: 'session_opened', program: 'sshd', pid: 9, count: 1 };
    await producer.publish(Topics.sshEvents, e, { id: e.id });
    await eventually(async () => (await r.svc.parts.sshEvents.appliedCount([e])) === 1, 60_000, 'event stored');
    const day = SshLoginsDayResponse.parse(await get('/v1/ssh-logins?date=2026-03-05'));
    expect(day.hosts.find((h) => h.host === silent)).toEqual({ host: silent, date: '2026-03-05', stats: null, lastSeenAt: null });
    expect(day.hosts.find((h) => h.host === talking)).toEqual({ host: talking, date: '2026-03-05', stats: null, lastSeenAt: '2026-03-04T08:00:00.000Z' });
    const before = SshLoginsDayResponse.parse(await get('/v1/ssh-logins?date=2026-03-04'));
    expect(before.hosts.find((h) => h.host === talking)?.stats).toMatchObject({ sessions: 1 });
  });

  it('top sources: attempts per address over a date range in the stats time zone, per host or all, unchanged by replays', async () => {
    const a = uniq('src-a');
    const b = uniq('src-b');
    // Addresses unique to this test, so other suites' events on the shared database cannot mix in.
    const net = `198.19.${randomInt(0, 255)}`;
    const ip = (n: number) => `${net}.${n}`;
    let n = 0;
    const ev = (host: string, time: string, kind: SshEvent['kind'], sourceIp: string, extra: Partial<SshEvent> = {}): SshEvent => ({
      id: `${host}:src:${n++}`, host, time, timeText: time, kind, program: 'sshd', pid: 700 + n, count: 1, sourceIp, ...extra,
    });
    const events: SshEvent[] = [
      // 2026-04-02 in Kolkata runs from 2026-04-01T18:30Z to 2026-04-02T18:30Z.
      ev(a, '2026-04-01T18:29:59Z', 'failed', ip(1), { method: 'password', count: 50 }), // 04-01 local: outside
      ev(a, '2026-04-01T18:30:00Z', 'failed', ip(1), { method: 'password', count: 4 }),
      ev(a, '2026-04-02T09:00:00Z', 'invalid_user', ip(1), { user: 'oracle' }),
      ev(a, '2026-04-02T09:00:01Z', 'failed', ip(1), { method: 'none' }), // not an attempt
      ev(a, '2026-04-02T10:00:00Z', 'accepted', ip(2), { method: 'publickey', user: 'ops' }),
      ev(a, '2026-04-02T10:00:01Z', 'connection_closed', ip(2)), // not an attempt
      ev(b, '2026-04-02T11:00:00Z', 'failed', ip(1), { method: 'password' }),
      ev(b, '2026-04-02T11:00:01Z', 'invalid_user', ip(3), { user: 'test' }),
      ev(b, '2026-04-02T11:00:02Z', 'failed', ip(3), { method: 'password', count: 2 }),
      ev(b, '2026-04-02T18:30:00Z', 'failed', ip(3), { method: 'password', count: 9 }), // 04-03 local: outside
    ];
    await producer.publishMany(Topics.sshEvents, events.map((value) => ({ value, opts: { id: value.id } })));
    const stored = async () => (await r.svc.parts.sshEvents.appliedCount(events)) === events.length;
    await eventually(stored, 60_000, 'source events stored');

    const sources = async (q: string) => {
      const body = SshSourcesResponse.parse(await get(`/v1/ssh-logins/sources?from=2026-04-02&to=2026-04-02&${q}`));
      return { ...body, sources: body.sources.filter((s) => s.sourceIp.startsWith(`${net}.`)) };
    };
    const both = await sources(`host=${a}&host=${b}`);
    expect(both.timeZone).toBe(TZ);
    expect(both.hosts).toEqual([a, b].sort());
    expect(both.totalSources).toBe(3);
    expect(both.sources).toEqual([
      { sourceIp: ip(1), attempts: 6, failed: 5, accepted: 0, invalidUser: 1, hosts: [a, b].sort() },
      { sourceIp: ip(3), attempts: 3, failed: 2, accepted: 0, invalidUser: 1, hosts: [b] },
      { sourceIp: ip(2), attempts: 1, failed: 0, accepted: 1, invalidUser: 0, hosts: [a] },
    ]);
    // One host only; the limit cuts the list but not totalSources.
    const onlyA = await sources(`host=${a}&limit=1`);
    expect(onlyA.totalSources).toBe(2);
    expect(onlyA.sources).toEqual([{ sourceIp: ip(1), attempts: 5, failed: 4, accepted: 0, invalidUser: 1, hosts: [a] }]);
    // All hosts: this test's addresses with the same figures.
    expect((await sources('limit=1000')).sources).toEqual(both.sources);
    // The neighbouring local days hold the events left out above.
    const threeDays = SshSourcesResponse.parse(await get(`/v1/ssh-logins/sources?from=2026-04-01&to=2026-04-03&host=${a}&host=${b}`));
    expect(threeDays.sources.find((s) => s.sourceIp === ip(1))?.failed).toBe(55);
    expect(threeDays.sources.find((s) => s.sourceIp === ip(3))?.failed).toBe(11);
    // A day without any event: an empty list, not an error.
    const empty = SshSourcesResponse.parse(await get(`/v1/ssh-logins/sources?from=2026-05-01&to=2026-05-01&host=${a}`));
    expect(empty).toMatchObject({ totalSources: 0, sources: [] });

    // Replayed and duplicated: the same figures.
    await producer.publishMany(Topics.sshEvents, [...events].reverse().map((value) => ({ value, opts: { id: value.id } })));
    const marker = ev(a, '2026-04-20T00:00:00Z', 'session_opened', ip(9));
    await producer.publish(Topics.sshEvents, marker, { id: marker.id });
    await eventually(async () => (await r.svc.parts.sshEvents.appliedCount([marker])) === 1, 60_000, 'marker stored');
    expect(await stored()).toBe(true);
    expect((await sources(`host=${a}&host=${b}`)).sources).toEqual(both.sources);

    for (const q of ['from=2026-04-02', 'from=2026-04-03&to=2026-04-02', 'from=2026-04-02&to=2026-04-02&limit=0', 'from=2026-04-02&to=2026-04-02&limit=x', 'from=2026-04-02&to=2026-04-02&host=../etc', 'from=2026-04-02&to=2026-04-02&x=1']) {
      const res = await fetch(`${r.base}/v1/ssh-logins/sources?${q}`, { headers: r.admin });
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
    }
    expect((await fetch(`${r.base}/v1/ssh-logins/sources?from=2026-04-02&to=2026-04-02`)).status).toBe(401);
  });

  it('rejects bad dates and ranges with 400', async () => {
    for (const q of ['/v1/ssh-logins?date=2026-13-01', '/v1/ssh-logins', '/v1/ssh-logins?date=x&y=1', '/v1/ssh-logins/range?from=2026-03-05&to=2026-03-01', '/v1/ssh-logins/range?from=2024-01-01&to=2026-01-01', '/v1/ssh-logins/h1/yesterday', '/v1/ssh-logins/range?from=2026-03-01']) {
      const res = await fetch(`${r.base}${q}`, { headers: r.admin });
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
    }
  });

  it('brute force: maxretry (N) failed attempts from one address in the window trigger, N − 1 do not; a quiet window releases', async () => {
    const ip = `198.18.${randomInt(0, 255)}.${randomInt(1, 254)}`;
    const host = uniq('bf');
    const t0 = clock.t;
    const attempts: SshEvent[] = Array.from({ length: 5 }, (_, i) => ({
      id: `${host}:bf:${i}`,
      host,
      time: new Date(t0 - 5 * 60_000 + i * 20_000).toISOString(),
      timeText: 'x',
      kind: 'failed',
      program: 'sshd',
      pid: 500 + i,
      method: 'password',
      sourceIp: ip,
      count: 1,
    }));
    // Four is one short of N = 5 (fail2ban's maxretry counts "≥"): nothing yet, once the detector holds all four.
    await producer.publishMany(Topics.sshEvents, attempts.slice(0, 4).map((value) => ({ value, opts: { id: value.id } })));
    await eventually(async () => (await r.svc.parts.sshEvents.appliedCount(attempts.slice(0, 4))) === 4, 60_000, 'first attempts stored');
    const held = async () => (await r.svc.parts.bruteForce.snapshots.find().lean()).flatMap((d) => d.sources).find((s) => s.ip === ip)?.attempts.length;
    await eventually(async () => (await held()) === 4, 60_000, 'four attempts in the window');
    expect(await r.svc.parts.bruteForce.alerts.model.countDocuments({ subject: ip })).toBe(0);

    await producer.publish(Topics.sshEvents, attempts[4], { id: attempts[4].id });
    await eventually(async () => (await r.svc.parts.bruteForce.alerts.model.countDocuments({ subject: ip, active: true })) === 1, 60_000, 'brute-force alert');

    // Still within the window: the sweep keeps it.
    const isActive = async () => (await r.svc.parts.bruteForce.alerts.model.findOne({ subject: ip }).lean())?.active;
    await r.svc.parts.bruteForce.sweep(clock.advance(60_000));
    expect(await isActive()).toBe(true);
    // A whole window without attempts: released (the store keeps open alerts only, so its document is gone).
    expect(await r.svc.parts.bruteForce.sweep(clock.advance(10 * 60_000))).toBeGreaterThanOrEqual(1);
    expect(await r.svc.parts.bruteForce.alerts.model.countDocuments({ subject: ip })).toBe(0);

    const alerts = await collect<AlertEvent>(kafka, Topics.alerts, mark, (a) => a.entity.id === ip, 2);
    expect(alerts.map((a) => [a.value.action, a.value.type])).toEqual([
      ['trigger', 'ssh-brute-force'],
      ['release', 'ssh-brute-force'],
    ]);
  });
});
