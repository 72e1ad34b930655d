import { createHash } from 'node:crypto';
import { FleetHealthResponse, Topics, type AlertEvent } from '@watchkeeper/contracts';
import { asAny, ALLOWED_COMMIT, collect, markTopic, startReceiver, TestClock, testKafka, uniq, type TestReceiver, type TopicMark } from './support';

const MIN = 60_000;

describe('fleet-health detectors on a controlled clock', () => {
  const clock = new TestClock(new Date('2026-06-01T12:00:00.000Z').getTime());
  let r: TestReceiver;
  const kafka = testKafka();
  const hosts = { ok: uniq('fh-ok'), fatal: uniq('fh-fatal'), unstamped: uniq('fh-unstamped') };

  let mark: TopicMark;
  beforeAll(async () => {
    mark = await markTopic(kafka, Topics.alerts);
    // The timer is out of the way: the test drives every run itself.
    r = await startReceiver({ FLEET_CHECK_INTERVAL_MS: String(24 * 3600_000), FLEET_WINDOW_MS: String(60 * MIN) }, { clock });
  });
  afterAll(async () => {
    await r.stop();
  });

  const run = () => r.svc.parts.fleetHealth.evaluate(clock.now());
  const report = async () => FleetHealthResponse.parse(await (await fetch(`${r.base}/v1/fleet-health`, { headers: r.admin })).json().then(asAny));
  const symptomsOf = (rep: FleetHealthResponse, host: string) => rep.hosts.find((h) => h.host === host)?.symptoms.map((s) => s.symptom) ?? [];

  it('raises silent, fatal-only and unstamped once per hour while they last, and releases them when they clear', async () => {
    const okAuth = await r.hostAuth(hosts.ok);
    const unstampedAuth = await r.hostAuth(hosts.unstamped);
    const putHealth = (host: string, auth: Record<string, string>) =>
      fetch(`${r.base}/v1/host-health/${host}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: '{"ok":true}' });

    expect((await putHealth(hosts.ok, okAuth)).status).toBe(200);
    // A host whose token was lost: every request is refused.
    for (let i = 0; i < 3; i++) expect((await putHealth(hosts.fatal, { authorization: 'Bearer wk_aaaaaaaaaaaaaaaa_' + 'b'.repeat(43) })).status).toBe(401);
    const body = 'log';
    const sha = createHash('sha256').update(body).digest('hex');
    expect((await fetch(`${r.base}/v1/artifacts/${hosts.unstamped}/a.log`, { method: 'PUT', headers: { ...unstampedAuth, 'x-content-sha256': sha }, body })).status).toBe(201);
    expect((await fetch(`${r.base}/v1/artifacts/${hosts.unstamped}/b.log`, { method: 'PUT', headers: { ...unstampedAuth, 'x-content-sha256': sha, 'x-code-commit': ALLOWED_COMMIT }, body })).status).toBe(201);

    clock.advance(1 * MIN); // 12:01
    await run();
    let rep = await report();
    expect(symptomsOf(rep, hosts.ok)).toEqual([]);
    expect(symptomsOf(rep, hosts.fatal)).toEqual(['fatal-only']);
    expect(symptomsOf(rep, hosts.unstamped)).toEqual(['unstamped']);
    expect(rep.hosts.find((h) => h.host === hosts.unstamped)).toMatchObject({ uploads: 2, unstampedUploads: 1 });

    clock.advance(5 * MIN); // 12:06, same hour: nothing new
    expect(await run()).toMatchObject({ triggered: 0, released: 0 });

    clock.advance(26 * MIN); // 12:32: everyone has been quiet for over 30 minutes
    await run();
    rep = await report();
    for (const h of Object.values(hosts)) expect(symptomsOf(rep, h)).toContain('silent');

    // 13:05, a new hour: each open silent alert is notified once more; the refusals and the unstamped
    // upload of 12:00 have left the 1 h window, so those two clear.
    clock.advance(33 * MIN);
    expect(await run()).toMatchObject({ triggered: 3, released: 2 });
    expect(await run()).toMatchObject({ triggered: 0, released: 0 });

    expect((await putHealth(hosts.ok, okAuth)).status).toBe(200); // the ok host speaks again
    clock.advance(2 * MIN); // 13:07
    await run();
    rep = await report();
    expect(symptomsOf(rep, hosts.ok)).toEqual([]);
    expect(symptomsOf(rep, hosts.fatal)).toEqual(['silent']);
    expect(symptomsOf(rep, hosts.unstamped)).toEqual(['silent']);

    const mine = new Set(Object.values(hosts));
    const expected = [
      // 12:01
      [hosts.fatal, 'trigger', 'host-fatal-only'],
      [hosts.unstamped, 'trigger', 'host-unstamped-uploads'],
      // 12:32
      [hosts.ok, 'trigger', 'host-silent'],
      [hosts.fatal, 'trigger', 'host-silent'],
      [hosts.unstamped, 'trigger', 'host-silent'],
      // 13:05: hourly reminder of the open silent alerts; the other two clear
      [hosts.ok, 'trigger', 'host-silent'],
      [hosts.fatal, 'trigger', 'host-silent'],
      [hosts.unstamped, 'trigger', 'host-silent'],
      [hosts.fatal, 'release', 'host-fatal-only'],
      [hosts.unstamped, 'release', 'host-unstamped-uploads'],
      // 13:07
      [hosts.ok, 'release', 'host-silent'],
    ];
    const alerts = await collect<AlertEvent>(kafka, Topics.alerts, mark, (a) => mine.has(a.entity.id), expected.length, 20_000);
    const seen = alerts.map((a) => [a.value.entity.id, a.value.action, a.value.type]);
    const key = (x: string[]) => x.join(' ');
    expect(seen.map(key).sort()).toEqual(expected.map(key).sort());
    // Per alert (fingerprint), the order is kept: trigger(s) before release.
    for (const h of Object.values(hosts)) {
      const fatalOnly = seen.filter((s) => s[0] === h && s[2] === 'host-fatal-only').map((s) => s[1]);
      if (fatalOnly.length) expect(fatalOnly[fatalOnly.length - 1]).toBe('release');
    }
    // Nothing more arrives than those (no duplicates from repeated runs).
    const more = await collect<AlertEvent>(kafka, Topics.alerts, mark, (a) => mine.has(a.entity.id), expected.length + 1, 3000).catch((e: Error) => e);
    expect(more).toBeInstanceOf(Error);
  }, 60_000);
});
