// End-to-end test of the docker compose stack (issue 14), run by tools/compose-e2e.sh after it has
// started the stack as compose project wk-e2e. Talks to the containers only through ports published
// on 127.0.0.1 and through `docker` itself (exec, logs, pause, events); the containers talk to each
// other on the project's lab network. The tests run in order and build on each other.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');

const root = path.resolve(__dirname, '../..');
const work = process.env.E2E_WORK;
const project = process.env.COMPOSE_PROJECT_NAME;
assert.ok(work && project, 'run through tools/compose-e2e.sh');
const envFile = Object.fromEntries(
  fs.readFileSync(process.env.WATCHKEEPER_ENV_FILE, 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const adminToken = envFile.WATCHKEEPER_ADMIN_TOKEN;
const receiver = `http://127.0.0.1:${process.env.RECEIVER_PUBLISHED_PORT}`;
const authLog = path.join(work, 'hostlog', 'auth.log');
const logHost = process.env.WATCHKEEPER_HOST_NAME;
const APPS = ['receiver', 'heartbeat-server', 'alert-dispatcher', 'log-collector', 'heartbeat-client'];
// heartbeat-server's round settings (its config defaults; compose sets none)
const HEARTBEAT_INTERVAL_S = 10;
const HEARTBEAT_TIMEOUT_S = 5;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const compose = (...args) => execFileSync('bash', [path.join(root, 'tools/docker/compose.sh'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const containerOf = (service) => {
  const id = docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`);
  assert.ok(id && !id.includes('\n'), `one container for ${service}, got ${JSON.stringify(id)}`);
  return id;
};
const inspect = (id) => JSON.parse(docker('inspect', id))[0];
const projectContainers = () => docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`).split('\n').filter(Boolean).map(inspect);
/** Runs `watchkeeper-heartbeat-server check` in its container: { code, line }. */
const nagiosCheck = () => {
  const r = spawnSync('docker', ['exec', containerOf('heartbeat-server'), 'watchkeeper-heartbeat-server', 'check'], { encoding: 'utf8' });
  return { code: r.status, line: r.stdout.trim() };
};
/** What an `until` probe returns while the condition does not hold yet (the detail shows in the timeout error). */
class NotYet {
  constructor(detail) {
    this.detail = detail;
  }
}
const notYet = (detail) => new NotYet(detail);
/** Polls `fn` until it returns something other than a NotYet (or a falsy value); resolves with it. */
async function until(what, fn, timeoutMs, everyMs = 1000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last && !(last instanceof NotYet)) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last instanceof NotYet ? last.detail : last);
      throw new Error(`${what}: not within ${timeoutMs / 1000} s (last: ${detail})`);
    }
    await sleep(everyMs);
  }
}
async function api(method, url, { token = adminToken, body } = {}) {
  const res = await fetch(`${receiver}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
async function allHealthy(timeoutMs) {
  return until('every container healthy', () => {
    const bad = projectContainers().filter((c) => {
      const service = c.Config.Labels['com.docker.compose.service'];
      if (service === 'kafka-setup') return !(c.State.Status === 'exited' && c.State.ExitCode === 0);
      return !(c.State.Status === 'running' && c.State.Health?.Status === 'healthy');
    });
    return bad.length === 0 || notYet(bad.map((c) => `${c.Name} ${c.State.Status} ${c.State.Health?.Status ?? 'no health check'}`));
  }, timeoutMs, 2000);
}

// sshd lines as the host's auth.log has them; the totals the test expects are counted here
const today = () => new Date().toISOString().slice(0, 10);
const expected = { accepted: 0, failed: 0 };
let pid = 50000;
function appendSshd(accepted, failed) {
  const lines = [];
  for (let i = 0; i < accepted; i++) lines.push(`${new Date().toISOString()} ${logHost} sshd[${++pid}]: Accepted publickey for e2e from 10.77.0.${1 + (pid % 200)} port ${40000 + i} ssh2: ED25519 SHA256:e2e`);
  for (let i = 0; i < failed; i++) lines.push(`${new Date().toISOString()} ${logHost} sshd[${++pid}]: Failed password for root from 203.0.113.${1 + (pid % 200)} port ${41000 + i} ssh2`);
  fs.appendFileSync(authLog, lines.join('\n') + '\n');
  expected.accepted += accepted;
  expected.failed += failed;
}
async function sshStats() {
  const r = await api('GET', `/v1/ssh-logins?date=${today()}`);
  assert.equal(r.status, 200);
  return r.body.hosts.find((h) => h.host === logHost)?.stats ?? null;
}
/** Waits until the receiver's counts equal what was appended, then makes sure they stay there. */
async function sshCountsSettle(timeoutMs = 90_000) {
  await until('ssh-logins counts', async () => {
    const s = await sshStats();
    return s && s.accepted === expected.accepted && s.failed === expected.failed ? s : notYet({ got: s, expected });
  }, timeoutMs, 1500);
  await sleep(3000); // a double count would show up after the first match
  const s = await sshStats();
  assert.deepEqual({ accepted: s.accepted, failed: s.failed }, expected);
}

const kafka = new Kafka({
  clientId: 'compose-e2e',
  brokers: [`127.0.0.1:${process.env.KAFKA_HOST_PORT}`],
  sasl: { mechanism: 'scram-sha-512', username: envFile.KAFKA_HOST_USER, password: envFile.KAFKA_HOST_PASSWORD },
  logLevel: logLevel.NOTHING,
  retry: { retries: 3 },
});
/** Every value on a topic whose key is `key`, read from the beginning through the published HOST listener. */
async function valuesOnTopic(topic, key, timeoutMs = 30_000) {
  const consumer = kafka.consumer({ groupId: `compose-e2e-${Date.now()}` });
  const seen = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { if (message.key?.toString() === key) seen.push(JSON.parse(message.value.toString())); } });
    await until(`a message keyed ${key} on ${topic}`, () => seen.length > 0 || notYet(0), timeoutMs, 500);
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

let hostToken;

test('every container is healthy; kafka-setup created the HOST listener credentials', async () => {
  await allHealthy(60_000);
  const services = projectContainers().map((c) => c.Config.Labels['com.docker.compose.service']).sort();
  for (const s of [...APPS, 'kafka', 'kafka-setup', 'mongo', 'prosody', 'webhook-sink']) assert.ok(services.includes(s), `${s} runs (${services})`);
  for (const c of projectContainers()) {
    assert.ok(Object.keys(c.NetworkSettings.Networks).includes(process.env.WATCHKEEPER_NETWORK), `${c.Name} on the lab network`);
  }
});

test('application containers: non-root, read-only root filesystem, no capabilities, no new privileges', () => {
  for (const app of APPS) {
    const id = containerOf(app);
    const c = inspect(id);
    assert.equal(c.Config.User, '1000:1000', `${app} user`);
    assert.equal(c.HostConfig.ReadonlyRootfs, true, `${app} read-only root`);
    assert.deepEqual(c.HostConfig.CapDrop, ['ALL'], `${app} cap_drop`);
    assert.ok(c.HostConfig.SecurityOpt.some((o) => /^no-new-privileges/.test(o)), `${app} no-new-privileges`);
    assert.equal(docker('exec', id, 'id', '-u'), '1000');
    assert.match(docker('exec', id, 'grep', 'CapEff', '/proc/1/status'), /CapEff:\s+0{16}$/);
    const write = spawnSync('docker', ['exec', id, 'sh', '-c', 'echo x >/app/written-at-run-time'], { encoding: 'utf8' });
    assert.notEqual(write.status, 0, `${app}: /app is not writable`);
    assert.match(write.stderr, /Read-only file system|Permission denied/);
    for (const m of c.Mounts.filter((m) => m.Type === 'bind')) assert.equal(m.RW, false, `${app}: host mount ${m.Destination} read-only`);
  }
});

test('published ports are on 127.0.0.1 here; Kafka\'s HOST listener refuses a client without SCRAM credentials', async () => {
  for (const c of projectContainers()) {
    for (const [port, bindings] of Object.entries(c.NetworkSettings.Ports ?? {})) {
      for (const b of bindings ?? []) assert.equal(b.HostIp, '127.0.0.1', `${c.Name} ${port}`);
    }
  }
  const anonymous = new Kafka({ clientId: 'e2e-anon', brokers: [`127.0.0.1:${process.env.KAFKA_HOST_PORT}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000, requestTimeout: 3000 });
  const admin = anonymous.admin();
  await assert.rejects(admin.connect().then(() => admin.listTopics()));
  await admin.disconnect().catch(() => {});
  const wrong = new Kafka({ clientId: 'e2e-wrong', brokers: [`127.0.0.1:${process.env.KAFKA_HOST_PORT}`], sasl: { mechanism: 'scram-sha-512', username: envFile.KAFKA_HOST_USER, password: 'not-the-password' }, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  await assert.rejects(wrong.admin().connect(), /SASL|authentication/i);
});

test('a host token is issued, a host-health snapshot PUT through the published port is read back and is on its Kafka topic', async () => {
  const issued = await api('POST', '/v1/hosts/e2e-h1/tokens', { body: { label: 'compose e2e' } });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  hostToken = issued.body.token;
  assert.ok(hostToken);
  const report = { disk: { '/': { usedPct: 41 } }, run: Date.now() };
  const put = await api('PUT', '/v1/host-health/e2e-h1', { token: hostToken, body: report });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal((await api('PUT', '/v1/host-health/e2e-h1', { token: 'wrong-token-0123456789', body: report })).status, 401);
  const back = await api('GET', '/v1/host-health/e2e-h1');
  assert.equal(back.status, 200);
  assert.deepEqual(back.body.report, report);
  const onTopic = await valuesOnTopic('watchkeeper.host-health.v1', 'e2e-h1');
  assert.deepEqual(onTopic.at(-1).data?.report ?? onTopic.at(-1).report, report);
});

test('sshd lines appended to the log the collector follows are counted in /v1/ssh-logins', async () => {
  appendSshd(3, 2);
  await sshCountsSettle();
});

test('the Nagios check says OK; `docker pause` of the heartbeat client makes it WARNING/CRITICAL within 2·interval + timeout; its alert reaches the webhook sink container', async () => {
  const ok = await until('check OK', () => { const r = nagiosCheck(); return r.code === 0 ? r : notYet(r); }, 90_000, 2000);
  assert.match(ok.line, /OK/);
  const client = containerOf('heartbeat-client');
  const paused = Date.now();
  docker('pause', client);
  try {
    const bound = 2 * HEARTBEAT_INTERVAL_S + HEARTBEAT_TIMEOUT_S;
    let askedAt = 0;
    const bad = await until('check WARNING/CRITICAL', () => {
      askedAt = Date.now();
      const r = nagiosCheck();
      return r.code === 1 || r.code === 2 ? r : false;
    }, (bound + 15) * 1000, 500);
    const took = (askedAt - paused) / 1000;
    console.log(`check after pause: ${bad.line.split('\n')[0]} (asked ${took.toFixed(1)} s after the pause; bound ${bound} s)`);
    assert.ok(took <= bound, `${took} s > ${bound} s`);
    const critical = await until('check CRITICAL (listener missing)', () => { const r = nagiosCheck(); return r.code === 2 ? r : notYet(r.line); }, 60_000, 2000);
    assert.match(critical.line, /missing/);

    // the missing listener's alert goes heartbeat-server → Kafka → alert-dispatcher → webhook-sink
    const sink = containerOf('webhook-sink');
    const posts = await until('an alert about compose-sample at the webhook sink', () => {
      const lines = docker('logs', sink).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      return lines.some((l) => l.body.includes('compose-sample@heartbeat-client')) ? lines : notYet(lines.length);
    }, 120_000, 2000);
    assert.ok(posts.some((p) => p.path === '/hooks/watchkeeper'));
  } finally {
    docker('unpause', client);
  }
});

test('the heartbeat check is OK again after the client resumes', async () => {
  await until('check OK after unpause', () => nagiosCheck().code === 0 || notYet(nagiosCheck().line), 90_000, 2000);
});

test('`compose restart` of each service: SIGTERM drains and exits 0 within the grace period; nothing lost or counted twice', async () => {
  for (const app of APPS) {
    const id = containerOf(app);
    const since = Math.floor(Date.now() / 1000);
    appendSshd(2, 1); // before: read by the collector before or after its restart, exactly once
    const t0 = Date.now();
    compose('restart', app);
    const took = (Date.now() - t0) / 1000;
    const died = docker('events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', `container=${id}`, '--filter', 'event=die', '--format', '{{.Actor.Attributes.exitCode}}');
    assert.equal(died.split('\n')[0], '0', `${app} exit code on SIGTERM`);
    const grace = inspect(id).Config.StopTimeout ?? 30;
    assert.ok(took < grace, `${app} restarted in ${took} s, grace ${grace} s`);
    console.log(`${app}: SIGTERM → exit 0, restarted in ${took.toFixed(1)} s`);
    appendSshd(1, 1); // after
    await allHealthy(120_000);
  }
  await sshCountsSettle();
  const put = await api('PUT', '/v1/host-health/e2e-h1', { token: hostToken, body: { after: 'restarts' } });
  assert.equal(put.status, 200);
  await until('check OK after the restarts', () => nagiosCheck().code === 0 || notYet(nagiosCheck().line), 90_000, 2000);
});

test('`compose down` then `up` keeps the data (volumes): counts, snapshots and tokens', async () => {
  compose('down');
  assert.equal(docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`), '');
  compose('up');
  await allHealthy(60_000);
  appendSshd(1, 0);
  await sshCountsSettle();
  const back = await api('GET', '/v1/host-health/e2e-h1');
  assert.equal(back.status, 200);
  assert.deepEqual(back.body.report, { after: 'restarts' });
  assert.equal((await api('PUT', '/v1/host-health/e2e-h1', { token: hostToken, body: { after: 'down-up' } })).status, 200);
});
