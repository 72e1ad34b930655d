// Starts every Watchkeeper service as a child process against already-running infrastructure (see
// tools/infra/stack.sh) with a sample configuration. Used by `npm start` (tools/dev-stack.cjs) and by
// end-to-end tests. Services run from their built bins (npm run build first).
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
/** The V8 flags of an app bin's #! line (`node <bin>` ignores that line), read as deploy-checks reads them; loaded when a stack starts, after the build. */
const binNodeFlags = (repoRoot, app) => require('../libs/deploy-checks/dist/index.js').binNodeFlags(repoRoot, app);

const root = path.join(__dirname, '..');

/** Parses the `export K='v'` lines that tools/infra/stack.sh writes. */
function readInfraEnv(file = path.join(process.env.WATCHKEEPER_RUN_DIR ?? path.join(root, '.run'), 'env')) {
  const env = {};
  if (!fs.existsSync(file)) return env;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** Tokens survive restarts of the stack so scripts can keep using them; regenerated when absent. */
function loadOrCreateTokens(file) {
  if (fs.existsSync(file)) {
    const env = {};
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (m) env[m[1]] = m[2];
    }
    if (env.WATCHKEEPER_ADMIN_TOKEN) return env;
  }
  const tokens = { WATCHKEEPER_ADMIN_TOKEN: crypto.randomBytes(24).toString('base64url') };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Object.entries(tokens).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  return tokens;
}

function serviceSpecs({ runDir, infra, tokens, ports, sampleLog, clients, extraEnv = {} }) {
  const common = { ...infra, ...tokens, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', HTTP_HOST: '127.0.0.1' };
  const xmppPassword = infra.XMPP_TEST_PASSWORD ?? 'watchkeeper-dev';
  const clientNames = Array.from({ length: clients }, (_, i) => `wk-client${i + 1}`);
  const specs = [
    {
      name: 'receiver',
      port: ports.receiver,
      env: {
        RECEIVER_PORT: ports.receiver,
        RECEIVER_ARTIFACT_DIR: path.join(runDir, 'artifacts'),
        HEARTBEAT_SERVER_URL: `http://127.0.0.1:${ports.heartbeatServer}`,
        ALERT_DISPATCHER_URL: `http://127.0.0.1:${ports.alertDispatcher}`,
      },
    },
    {
      name: 'alert-dispatcher',
      port: ports.alertDispatcher,
      env: {
        ALERT_DISPATCHER_PORT: ports.alertDispatcher,
        ALERT_DISPATCHER_ROUTING_FILE: firstExisting([
          'apps/alert-dispatcher/config/routing.example.yaml',
          'apps/alert-dispatcher/config/routing.example.json',
        ]),
      },
    },
    {
      name: 'heartbeat-server',
      port: ports.heartbeatServer,
      env: {
        HEARTBEAT_SERVER_PORT: ports.heartbeatServer,
        XMPP_USERNAME: 'wk-server',
        XMPP_PASSWORD: infra.XMPP_SERVER_PASSWORD ?? xmppPassword,
        // Listener ids are name@host: the clients below report host "local-stack".
        HEARTBEAT_EXPECTED: clientNames.map((c) => `${c}@local-stack`).join(','),
        // Seed-era (lvalertHeartbeat) listeners answer by publishing to the node from a fresh session:
        // with Prosody only `open` lets them (`subscribers` checks the publishing full JID).
        HEARTBEAT_PUBLISH_MODEL: 'open',
      },
    },
    {
      name: 'log-collector',
      port: ports.logCollector,
      env: {
        LOG_COLLECTOR_PORT: ports.logCollector,
        LOG_COLLECTOR_FILES: sampleLog,
        LOG_COLLECTOR_HOST: 'sample-host',
      },
    },
    ...clientNames.map((user, i) => ({
      name: `heartbeat-client`,
      label: `heartbeat-client-${i + 1}`,
      port: ports.heartbeatClient + i,
      env: {
        HEARTBEAT_CLIENT_PORT: ports.heartbeatClient + i,
        HEARTBEAT_CLIENT_NAME: user,
        HEARTBEAT_CLIENT_HOST: 'local-stack',
        XMPP_USERNAME: user,
        XMPP_PASSWORD: xmppPassword,
      },
    })),
  ];
  // extraEnv: { '*': {...}, '<service name>': {...} } — overrides for tests (short intervals, own databases).
  return specs.map((s) => ({ ...s, label: s.label ?? s.name, env: stringify({ ...common, ...s.env, ...extraEnv['*'], ...extraEnv[s.name] }) }));
}

function firstExisting(candidates) {
  const found = candidates.find((c) => fs.existsSync(path.join(root, c)));
  return path.join(root, found ?? candidates[0]);
}

function stringify(env) {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
}

async function waitHealthy(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${url} answered`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * Starts the services; resolves when every /healthz answers. `stop()` sends SIGTERM to all and waits
 * (SIGKILL after the grace period) so no process is left behind.
 */
async function startLocalStack(opts = {}) {
  const runDir = opts.runDir ?? process.env.WATCHKEEPER_RUN_DIR ?? path.join(root, '.run');
  const logDir = path.join(runDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const infra = { ...readInfraEnv(path.join(runDir, 'env')), ...pick(process.env, ['KAFKA_BROKERS', 'MONGO_URL', 'XMPP_SERVICE', 'WATCHKEEPER_TOPIC_PREFIX']) };
  const tokens = loadOrCreateTokens(path.join(runDir, 'tokens.env'));
  // WATCHKEEPER_HTTP_PORT_BASE moves the services' ports (base+80…) off the defaults (8080…).
  const base = Number(process.env.WATCHKEEPER_HTTP_PORT_BASE ?? 8000);
  const ports = { receiver: base + 80, heartbeatServer: base + 81, alertDispatcher: base + 82, logCollector: base + 83, heartbeatClient: base + 84, ...opts.ports };
  const sampleLog = opts.sampleLog ?? prepareSampleLog(runDir);
  const specs = serviceSpecs({ runDir, infra, tokens, ports, sampleLog, clients: opts.clients ?? 3, extraEnv: opts.env });

  const children = [];
  const stop = async (graceMs = 20_000) => {
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
            child.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    for (const spec of specs) {
      const out = fs.openSync(path.join(logDir, `${spec.label}.log`), 'a');
      const bin = path.join(root, 'apps', spec.name, 'bin', `watchkeeper-${spec.name}.js`);
      const child = spawn(process.execPath, [...binNodeFlags(root, spec.name), bin], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...spec.env }, stdio: ['ignore', out, out] });
      fs.closeSync(out);
      children.push({ spec, child });
    }
    await Promise.all(
      children.map(({ spec, child }) =>
        waitHealthy(`http://127.0.0.1:${spec.port}/healthz`, child, opts.startTimeoutMs ?? 60_000).catch((err) => {
          const log = path.join(logDir, spec.label + '.log');
          // The log's last lines in the message: callers (the npm-start check in CI) remove the folder.
          const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
          throw new Error(`${spec.label}: ${err.message} (log: ${log})${tail ? `\n--- last lines of the log ---\n${tail}` : ''}`);
        }),
      ),
    );
    // The host's self-check reporter (the collector's `doctor` mode) for the collector's host: first
    // report at once (no boot delay in a dev stack), then every 10 minutes.
    const reporter = await startReporter({ runDir, logDir, ports, tokens, common: { ...infra, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' }, extraEnv: opts.env });
    children.push(reporter);
  } catch (err) {
    await stop(5000);
    throw err;
  }
  return { ports, tokens, sampleLog, logDir, services: children.map((c) => ({ label: c.spec.label, pid: c.child.pid, port: c.spec.port })), stop };
}

/** The reporter's host token: reused from tokens.env while the receiver accepts it, else a new one (saved there). */
async function reporterToken(receiver, host, tokens, tokensFile) {
  const admin = { authorization: `Bearer ${tokens.WATCHKEEPER_ADMIN_TOKEN}`, 'content-type': 'application/json' };
  if (tokens.DOCTOR_HOST_TOKEN) {
    const ping = await fetch(`${receiver}/v1/ping`, { method: 'POST', headers: { authorization: `Bearer ${tokens.DOCTOR_HOST_TOKEN}` } });
    if (ping.ok) return tokens.DOCTOR_HOST_TOKEN;
  }
  // At most two active tokens per host: make room (a stack restarted on a kept database has some).
  const list = await (await fetch(`${receiver}/v1/hosts/${host}/tokens`, { headers: admin })).json();
  for (const t of (list.tokens ?? []).filter((x) => !x.revokedAt && x.label === 'local stack reporter')) {
    await fetch(`${receiver}/v1/hosts/${host}/tokens/${t.tokenId}`, { method: 'DELETE', headers: admin });
  }
  const r = await fetch(`${receiver}/v1/hosts/${host}/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ label: 'local stack reporter' }) });
  if (r.status !== 201) throw new Error(`reporter token for ${host}: ${r.status} ${await r.text()}`);
  const { token } = await r.json();
  tokens.DOCTOR_HOST_TOKEN = token;
  fs.writeFileSync(tokensFile, Object.entries(tokens).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  return token;
}

async function startReporter({ runDir, logDir, ports, tokens, common, extraEnv = {} }) {
  const receiver = `http://127.0.0.1:${ports.receiver}`;
  const host = extraEnv['log-collector']?.LOG_COLLECTOR_HOST ?? 'sample-host'; // the collector's host
  const token = await reporterToken(receiver, host, tokens, path.join(runDir, 'tokens.env'));
  const spec = {
    name: 'log-collector',
    label: 'host-reporter',
    env: stringify({
      ...common,
      ...extraEnv['*'],
      LOG_COLLECTOR_HOST: host,
      // its own ops endpoints on a free port; the collector it checks is on the collector's port
      LOG_COLLECTOR_PORT: 0,
      HTTP_HOST: '127.0.0.1',
      DOCTOR_COLLECTOR_URL: `http://127.0.0.1:${ports.logCollector}`,
      DOCTOR_RECEIVER_URL: receiver,
      DOCTOR_HOST_TOKEN: token,
      DOCTOR_HEARTBEAT_CLIENT_URL: `http://127.0.0.1:${ports.heartbeatClient}`,
      DOCTOR_BOOT_DELAY_MS: 0,
      // every 10 minutes here (daily on a lab host), so the sample host never looks silent on the Fleet page
      DOCTOR_INTERVAL_MS: 10 * 60_000,
      DOCTOR_JITTER_MS: 60_000,
      ...extraEnv['host-reporter'],
    }),
  };
  const out = fs.openSync(path.join(logDir, `${spec.label}.log`), 'a');
  const bin = path.join(root, 'apps', 'log-collector', 'bin', 'watchkeeper-log-collector.js');
  const child = spawn(process.execPath, [...binNodeFlags(root, 'log-collector'), bin, 'doctor'], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...spec.env }, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return { spec, child };
}

function pick(obj, keys) {
  return Object.fromEntries(keys.filter((k) => obj[k]).map((k) => [k, obj[k]]));
}

/** The sample auth.log the collector follows: a copy, so the stack can append to it without touching the fixture. */
function prepareSampleLog(runDir) {
  const target = path.join(runDir, 'sample', 'auth.log');
  if (!fs.existsSync(target)) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(root, 'tools/samples/auth.log'), target);
  }
  return target;
}

module.exports = { startLocalStack, readInfraEnv };
