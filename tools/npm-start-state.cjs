#!/usr/bin/env node
// `npm test` leaves nothing for `npm start`: run by tools/test.sh around the suites.
//   snapshot FILE  before the suites: the files of npm start's data folder (<repo>/.run, without test/)
//   check FILE     after the suites (the test stack gone):
//     1. npm start's data folder is as it was: no file added or changed by the tests;
//     2. when that folder held no servers' data before (a fresh clone, CI): `npm start` itself
//        (tools/dev-stack.sh, on free ports) starts on it empty — no topic or database of the tests,
//        no message before its services run — and once they run the topics hold only what its own
//        sample produced. It then removes what it created there, leaving the folder as it found it.
// Writes its outcome as a test result for the summary of tools/test.sh (WK_TEST_RESULTS_DIR).
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { inventory, productionTopics } = require('./test-servers.cjs');

const root = path.join(__dirname, '..');
const runDir = path.join(root, '.run');
const SERVER_DATA = ['kafka/data', 'ferretdb', 'mongo/mongod-data', 'prosody/data'];
const PID_FILES = ['kafka/kafka.pid', 'mongo/mongo.pid', 'prosody/prosody.pid'];

/** path → "size mtime" of every file under .run but test/ (the test stack's own folder). */
function listing(dir = runDir, rel = '') {
  const out = {};
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (r === 'test') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, listing(p, r));
    else {
      const st = fs.statSync(p, { throwIfNoEntry: false });
      if (st) out[r] = `${st.size} ${st.mtimeMs}`;
    }
  }
  return out;
}

/** npm start's own servers are running from .run (their files change without any test). */
function devStackRunning() {
  return PID_FILES.some((f) => {
    try {
      const pid = Number(fs.readFileSync(path.join(runDir, f), 'utf8').trim());
      return pid > 0 && process.kill(pid, 0);
    } catch {
      return false; // no pid file, or no such process
    }
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(false)));
    s.on('error', () => resolve(true));
    s.setTimeout(1000, () => (s.destroy(), resolve(true)));
  });
}

/** A port base whose infra (+17 +22 +92 +93) and service (+80…+86) ports are all free. */
async function freeBase(from = 30000) {
  for (let base = from; base < from + 3000; base += 100) {
    const ports = [17, 22, 92, 93, 80, 81, 82, 83, 84, 85, 86].map((o) => base + o);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port set');
}

/** npm start's environment: none of the test stack's variables, its own free ports. */
function devEnv(base) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(KAFKA_|MONGO_|XMPP_|WATCHKEEPER_)/.test(k)) delete env[k];
  if (env.NODE_EXTRA_CA_CERTS?.includes(`${path.sep}.run${path.sep}test${path.sep}`)) delete env.NODE_EXTRA_CA_CERTS; // the test stack's, gone
  return {
    ...env,
    KAFKA_PORT: String(base + 92),
    KAFKA_CONTROLLER_PORT: String(base + 93),
    MONGO_PORT: String(base + 17),
    XMPP_PORT: String(base + 22),
    WATCHKEEPER_HTTP_PORT_BASE: String(base),
    LOG_LEVEL: 'warn',
  };
}

function startDevStack(env) {
  const child = spawn('bash', [path.join(root, 'tools/dev-stack.sh')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const ready = new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`npm start did not come up within 300 s:\n${out.slice(-8000)}`)), 300_000);
    const poll = setInterval(() => {
      if (out.includes('Watchkeeper is running.')) (clearInterval(poll), clearTimeout(t), resolve());
    }, 200);
    child.once('exit', (code) => (clearInterval(poll), clearTimeout(t), reject(new Error(`npm start exited (${code}):\n${out.slice(-8000)}`))));
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.removeAllListeners('exit');
      child.once('exit', resolve);
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && process.kill(-child.pid, 'SIGKILL'), 60_000).unref();
    });
  return { ready, stop };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The stack's own messages: ssh-events at most one per sshd line of its sample, and no test's. */
function sampleSshdLines() {
  return fs.readFileSync(path.join(root, 'tools/samples/auth.log'), 'utf8').split('\n').filter((l) => / sshd\[\d+\]: /.test(l)).length;
}

async function liveCheck(problems) {
  const base = await freeBase();
  const env = devEnv(base);
  const stackEnv = { KAFKA_BROKERS: `127.0.0.1:${base + 92}`, MONGO_URL: `mongodb://127.0.0.1:${base + 17}` };
  // npm start's servers on npm start's data folder, before its services: nothing there yet.
  execFileSync('bash', [path.join(root, 'tools/infra/stack.sh'), 'start'], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  let dev;
  try {
    const atStart = await inventory(stackEnv, { messages: true });
    const stray = (names) => names.filter((n) => !productionTopics.includes(n) && !n.startsWith('__'));
    if (stray(atStart.topics).length) problems.push(`topics not of npm start at its start: ${stray(atStart.topics).join(', ')}`);
    const full = Object.entries(atStart.messages).filter(([, n]) => n > 0);
    if (full.length) problems.push(`messages waiting before npm start's services run: ${full.map(([t, n]) => `${t}: ${n}`).join(', ')}`);
    const dbs = atStart.databases.filter((d) => !['admin', 'local', 'config'].includes(d));
    if (dbs.length) problems.push(`databases before npm start's services run: ${dbs.join(', ')}`);
    if (atStart.groups.length) problems.push(`consumer groups before npm start's services run: ${atStart.groups.join(', ')}`);

    dev = startDevStack(env);
    await dev.ready;
    await sleep(10_000); // the collector ships the sample; the consumers take it
    const running = await inventory(stackEnv, { messages: true });
    const testDbs = running.databases.filter((d) => /^wk_/.test(d));
    if (testDbs.length) problems.push(`test databases while npm start runs: ${testDbs.join(', ')}`);
    if (stray(running.topics).length) problems.push(`topics not of npm start while it runs: ${stray(running.topics).join(', ')}`);
    const ssh = running.messages['watchkeeper.ssh-events.v1'] ?? 0;
    if (ssh > sampleSshdLines()) problems.push(`ssh-events holds ${ssh} messages, more than the sample's ${sampleSshdLines()} sshd lines`);
    console.error(`[npm-start-state] npm start on .run: topics ${JSON.stringify(running.messages)}, databases ${running.databases.join(', ')}`);
  } finally {
    await dev?.stop();
    execFileSync('bash', [path.join(root, 'tools/infra/stack.sh'), 'stop'], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
  }
}

/** Removes what the live check created under .run, leaving the files the snapshot saw. */
function restore(before) {
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const rel = path.relative(runDir, p);
      if (rel === 'test') continue;
      const kept = Object.keys(before).some((k) => k === rel || k.startsWith(rel + '/'));
      if (!kept) fs.rmSync(p, { recursive: true, force: true });
      else if (e.isDirectory()) walk(p);
    }
  };
  walk(runDir);
  if (!Object.keys(before).length && fs.existsSync(runDir) && !fs.readdirSync(runDir).length) fs.rmdirSync(runDir);
}

function writeResult(name, problems, skipped) {
  const dir = process.env.WK_TEST_RESULTS_DIR;
  if (!dir) return;
  const failed = problems.length ? 1 : 0;
  fs.writeFileSync(
    path.join(dir, 'npm-start-state.json'),
    JSON.stringify({ passed: failed || skipped ? 0 : 1, failed, skipped: skipped ? 1 : 0, suiteErrors: 0, failedSuites: failed ? [name] : [], failures: failed ? [{ suite: name, message: problems.join('\n') }] : [] }),
  );
}

async function main() {
  const [cmd, file] = process.argv.slice(2);
  if (cmd === 'snapshot') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const running = devStackRunning();
    const files = listing();
    fs.writeFileSync(file, JSON.stringify({ running, fresh: !SERVER_DATA.some((d) => fs.existsSync(path.join(runDir, d))), files }));
    return;
  }
  if (cmd !== 'check') throw new Error('usage: npm-start-state.cjs snapshot|check FILE');
  const name = 'tools/npm-start-state.cjs (npm start after npm test starts empty)';
  const before = JSON.parse(fs.readFileSync(file, 'utf8'));
  const problems = [];
  if (fs.existsSync(path.join(runDir, 'test', 'ports')) && process.env.WK_TEST_STACK_REUSED !== '1') problems.push('.run/test (the test stack) is still there');
  if (before.running || devStackRunning()) {
    console.error("[npm-start-state] skipped: npm start's own servers are running from .run, they change its files themselves");
    return writeResult(name, problems, problems.length === 0);
  }
  const now = listing();
  const changed = Object.keys(now).filter((k) => before.files[k] !== now[k]);
  if (changed.length) problems.push(`files of npm start's data folder (.run) added or changed during the tests: ${changed.slice(0, 20).join(', ')}`);
  if (before.fresh && process.env.WK_TEST_EXTERNAL_SERVERS !== '1') {
    try {
      await liveCheck(problems);
    } finally {
      restore(before.files);
    }
  } else console.error("[npm-start-state] .run held npm start's own data before the tests (or the servers are external): checked that the tests changed none of its files");
  for (const p of problems) console.error(`[npm-start-state] FAIL: ${p}`);
  if (!problems.length) console.error('[npm-start-state] ok: nothing of the tests in npm start\'s servers or data folder');
  writeResult(name, problems, false);
  process.exitCode = problems.length ? 1 : 0;
}

main().catch((err) => {
  console.error(`[npm-start-state] ${err.stack ?? err.message}`);
  writeResult('tools/npm-start-state.cjs', [err.message], false);
  process.exit(1);
});
