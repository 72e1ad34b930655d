import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '@watchkeeper/runtime';
import { FleetHealthResponse, HostHealthSnapshot, HostRetired, HostSelfCheckReport, RetiredHostList, Topics, type AlertEvent } from '@watchkeeper/contracts';
import { asAny, collect, eventually, markTopic, startReceiver, testKafka, uniq, type TestReceiver, type TopicMark } from './support';

/** The per-host reporter as deployed: the log collector's bin in `doctor` mode (a process, not an import). */
const BIN = path.join(__dirname, '..', '..', 'log-collector', 'bin', 'watchkeeper-log-collector.js');

function doctor(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'doctor', ...args], { env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('host self-check reporter (watchkeeper-log-collector doctor) against a real receiver', () => {
  let r: TestReceiver;
  const kafka = testKafka();
  const host = uniq('doctor');
  let token: string;
  let mark: TopicMark;
  let env: Record<string, string>;
  // Thresholds no busy test machine crosses, so a report is ok unless a test makes it otherwise.
  const calm = { DOCTOR_LOAD_PER_CPU: '1000,1000', DOCTOR_MEMORY_PERCENT: '100,100', DOCTOR_DISK_PERCENT: '100,100', DOCTOR_FAILED_UNITS: 'warning', DOCTOR_COLLECTOR_URL: 'off' };

  beforeAll(async () => {
    mark = await markTopic(kafka, Topics.alerts);
    r = await startReceiver({ FLEET_CHECK_INTERVAL_MS: String(24 * 3600_000) });
    token = (await r.hostAuth(host)).authorization.replace('Bearer ', '');
    env = { DOCTOR_RECEIVER_URL: r.base, DOCTOR_HOST_TOKEN: token, LOG_COLLECTOR_HOST: host, DOCTOR_ATTEMPTS: '2', DOCTOR_RETRY_MAX_MS: '200' };
  });
  afterAll(async () => {
    await r.stop();
  });

  const snapshot = async () => {
    const res = await fetch(`${r.base}/v1/host-health/${host}`, { headers: r.admin });
    return res.status === 200 ? HostHealthSnapshot.parse(await res.json().then(asAny)) : undefined;
  };
  const fleet = async () => FleetHealthResponse.parse(await (await fetch(`${r.base}/v1/fleet-health`, { headers: r.admin })).json().then(asAny));
  const symptoms = async () => (await fleet()).hosts.find((h) => h.host === host)?.symptoms.map((s) => s.symptom) ?? [];

  it('--ping checks token, path and clock at bring-up and stores nothing; a wrong token or host fails', async () => {
    const ok = await doctor(['--ping'], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, host, schemaVersion: '1', roundTripMs: expect.any(Number), clockOffsetMs: expect.any(Number) });
    expect(await snapshot()).toBeUndefined();
    expect((await doctor(['--ping'], { ...env, DOCTOR_HOST_TOKEN: `wk_aaaaaaaaaaaaaaaa_${'b'.repeat(43)}` })).code).toBe(2);
    expect((await doctor(['--ping'], { ...env, LOG_COLLECTOR_HOST: 'someone-else' })).code).toBe(1);
  });

  it('a run stores a report with disk, memory, load and checks; a critical check raises the self-check alert', async () => {
    // The collector this host should run is not answering (nothing listens there): critical.
    const run = await doctor(['--once'], { ...env, ...calm, DOCTOR_COLLECTOR_URL: 'http://127.0.0.1:9' });
    expect(run.code).toBe(0);
    const snap = await snapshot();
    const report = HostSelfCheckReport.parse(snap!.report);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['disk', 'memory', 'load', 'checks']));
    expect(report.disk.length).toBeGreaterThan(0);
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    expect(byName.get('collector-checkpoint')).toMatchObject({ status: 'critical' });
    expect(byName.get('clock')).toMatchObject({ status: 'ok' });
    for (const name of ['memory', 'load']) expect(byName.get(name)?.status).toBe('ok');

    expect(await r.svc.parts.fleetHealth.evaluate(new Date())).toMatchObject({ triggered: 1 });
    expect(await symptoms()).toEqual(['self-check-critical']);
    const [trigger] = await collect<AlertEvent>(kafka, Topics.alerts, mark, (a) => a.entity.id === host && a.action === 'trigger', 1);
    expect(trigger!.value).toMatchObject({ type: 'host-self-check-critical', severity: 'critical', labels: { symptom: 'self-check-critical' } });
  });

  it('a later ok report releases the alert', async () => {
    expect((await doctor(['--once'], { ...env, ...calm })).code).toBe(0);
    const report = HostSelfCheckReport.parse((await snapshot())!.report);
    expect(report.checks.filter((c) => c.status === 'critical')).toEqual([]);
    expect(await r.svc.parts.fleetHealth.evaluate(new Date())).toMatchObject({ released: 1 });
    expect(await symptoms()).toEqual([]);
    const [release] = await collect<AlertEvent>(kafka, Topics.alerts, mark, (a) => a.entity.id === host && a.action === 'release', 1);
    expect(release!.value.type).toBe('host-self-check-critical');
  });

  it('on its schedule (no boot delay left) the first report comes at once, its ops endpoints say so; token from a file; SIGTERM stops it', async () => {
    const before = (await snapshot())!.receivedAt;
    const port = await freePort();
    const tokenFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wk-doctor-')), 'host-token');
    fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    const child = spawn(process.execPath, [BIN, 'doctor'], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env, DOCTOR_HOST_TOKEN: '', DOCTOR_HOST_TOKEN_PATH: tokenFile, ...calm, DOCTOR_BOOT_DELAY_MS: '0', LOG_COLLECTOR_PORT: String(port), HTTP_HOST: '127.0.0.1' },
      stdio: 'ignore',
    });
    try {
      await eventually(async () => ((await snapshot())!.receivedAt > before ? true : undefined), 30_000, 'a scheduled report');
      const metrics = await eventually(async () => {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text().catch(() => '');
        return /watchkeeper_doctor_last_run_stored\S* 1/.test(text) ? text : undefined;
      }, 10_000, 'the doctor metrics');
      expect(metrics).toMatch(/watchkeeper_doctor_checks\{[^}]*status="ok"[^}]*\} [1-9]/);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      fs.rmSync(path.dirname(tokenFile), { recursive: true, force: true });
    }
  });

  it('retire: tokens revoked, no longer listed (host health, fleet health), listed as retired; a new token brings it back', async () => {
    // Something for fleet health to expect: a critical report again (an open symptom to release).
    expect((await doctor(['--once'], { ...env, ...calm, DOCTOR_COLLECTOR_URL: 'http://127.0.0.1:9' })).code).toBe(0);
    await r.svc.parts.fleetHealth.evaluate(new Date());
    expect(await symptoms()).toEqual(['self-check-critical']);

    // As if its collector had shipped SSH events: the host is in the SSH host list.
    await r.svc.parts.sshEvents.addMany([{ id: `${host}:ssh:0`, host, time: new Date().toISOString(), timeText: 'x', kind: 'session_opened', program: 'sshd', pid: 1, count: 1 }]);
    expect(await r.svc.parts.sshEvents.knownHosts()).toContain(host);
    expect((await fetch(`${r.base}/v1/hosts/${host}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const res = await fetch(`${r.base}/v1/hosts/${host}`, { method: 'DELETE', headers: r.admin });
    expect(res.status).toBe(200);
    expect(HostRetired.parse(await res.json().then(asAny))).toMatchObject({ host, tokensRevoked: 1 });

    expect((await doctor(['--ping'], env)).code).toBe(2);
    expect(await snapshot()).toBeUndefined();
    expect(await r.svc.parts.sshEvents.knownHosts()).not.toContain(host);
    const all = (await (await fetch(`${r.base}/v1/host-health`, { headers: r.admin })).json().then(asAny)) as { hosts: Array<{ host: string }> };
    expect(all.hosts.map((h) => h.host)).not.toContain(host);
    expect(await r.svc.parts.fleetHealth.evaluate(new Date())).toMatchObject({ released: 1 });
    expect((await fleet()).hosts.map((h) => h.host)).not.toContain(host);
    const retired = RetiredHostList.parse(await (await fetch(`${r.base}/v1/retired-hosts`, { headers: r.admin })).json().then(asAny));
    expect(retired.hosts.map((h) => h.host)).toContain(host);
    // Retiring again changes nothing.
    expect(HostRetired.parse(await (await fetch(`${r.base}/v1/hosts/${host}`, { method: 'DELETE', headers: r.admin })).json().then(asAny)).tokensRevoked).toBe(0);

    const fresh = (await r.hostAuth(host)).authorization.replace('Bearer ', '');
    expect((await doctor(['--once'], { ...env, ...calm, DOCTOR_HOST_TOKEN: fresh })).code).toBe(0);
    expect(await snapshot()).toBeDefined();
    const after = RetiredHostList.parse(await (await fetch(`${r.base}/v1/retired-hosts`, { headers: r.admin })).json().then(asAny));
    expect(after.hosts.map((h) => h.host)).not.toContain(host);
  });
});
