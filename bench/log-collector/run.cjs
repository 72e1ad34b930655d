#!/usr/bin/env node
// Log-collector benchmark (run by hand: `node bench/log-collector/run.cjs [lines]`, after `npx tsc -b`,
// `bash bench/log-collector/setup.sh` and `bash tools/infra/stack.sh start`). In one run, on the same
// generated auth.log: `count` beside `grep -c sshd` (the floor) and `fail2ban-regex` (Debian fail2ban),
// then file → Kafka throughput with peak RSS of the collector, against a private broker on port 19092
// (so the shared broker's ssh-events topic is not flooded). Writes bench/results/log-collector.md.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'apps/log-collector/bin/watchkeeper-log-collector.js');
const WORK = path.join(ROOT, 'bench/.work/log-collector');
const LINES = Number(process.argv[2] ?? 1_000_000);
/** Lines written to journal files for the journald figure (a journal is ≈ 0.3 KB per entry on disk). */
const JOURNAL_LINES = Number(process.env.BENCH_JOURNAL_LINES ?? 200_000);
/** Hand-written notes (before/after, reasons) appended below the generated figures. */
const NOTES = path.join(__dirname, 'results-notes.md');
const FILE = path.join(WORK, `auth-${LINES}.log`);
const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const KAFKA_PORT = Number(process.env.BENCH_KAFKA_PORT ?? 19092);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function timed(cmd, args) {
  // bash's `time` gives the child's own CPU (user+sys) besides the wall clock. Output goes to a file,
  // not /dev/null: GNU grep stops at the first match when it sees its output is /dev/null.
  const script = `TIMEFORMAT='%R %U %S'; { time "$@" >"${path.join(WORK, 'timed.out')}" 2>&1 ; } 2>&1`;
  const out = execFileSync('bash', ['-c', script, 'bash', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n').pop();
  const [wall, user, sys] = out.split(' ').map(Number);
  return { wall, cpu: user + sys };
}

function best(n, fn) {
  const runs = Array.from({ length: n }, fn);
  return runs.sort((a, b) => a.wall - b.wall)[0];
}

/**
 * Runs the collector bin against a private broker until `isDone(metric)`; `env` picks the source.
 * `floorCount`: after the run, kafkajs alone sends as many messages of the same shape (the floor).
 */
async function shipToKafka(env, isDone, floorCount = true) {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-bench-kafka-'));
  const kenv = { ...process.env, KAFKA_PORT: String(KAFKA_PORT), KAFKA_CONTROLLER_PORT: String(KAFKA_PORT + 1), WATCHKEEPER_RUN_DIR: runDir, WATCHKEEPER_MANAGED: 'kafka' };
  delete kenv.KAFKA_BROKERS;
  const kafka = (cmd) => execFileSync('bash', [path.join(ROOT, 'tools/infra/kafka.sh'), cmd], { env: kenv, stdio: ['ignore', 'ignore', 'inherit'] });
  kafka('start');
  const db = `wk_bench_lc_${Date.now().toString(36)}`;
  const port = 18000 + Math.floor(Math.random() * 1000);
  // BENCH_COLLECTOR_NODE_ARGS: extra node flags for the collector while tuning (e.g. --cpu-prof).
  const nodeArgs = (process.env.BENCH_COLLECTOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // The bin's own #! flags (V8 heap sizes), as the deployed collector runs: spawning node skips that line.
  const binFlags = (/^#!.*\bnode\s+(.*)$/m.exec(fs.readFileSync(BIN, 'utf8').split('\n')[0])?.[1] ?? '').split(/\s+/).filter(Boolean);
  // BENCH_COLLECTOR_STDOUT: a file for the collector's stdout while tuning (e.g. with --trace-gc).
  const stdout = process.env.BENCH_COLLECTOR_STDOUT ? fs.openSync(process.env.BENCH_COLLECTOR_STDOUT, 'w') : 'ignore';
  const child = spawn(process.execPath, [...binFlags, ...nodeArgs, BIN], {
    env: { ...process.env, ...env, LOG_COLLECTOR_HOST: 'bench', LOG_COLLECTOR_TZ: 'UTC', KAFKA_BROKERS: `127.0.0.1:${KAFKA_PORT}`, MONGO_URL, MONGO_DB: db, LOG_COLLECTOR_PORT: String(port), HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', stdout, 'inherit'],
  });
  const started = Date.now();
  let firstRead, done, peakRss = 0, sent = 0, read = 0, cpuSeconds = 0;
  try {
    while (!done && Date.now() - started < 900_000) {
      await sleep(200);
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      // VmHWM: the kernel's own peak of the resident set (samples of VmRSS would miss short peaks).
      peakRss = Math.max(peakRss, Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024);
      const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100; // utime + stime, in clock ticks of 10 ms
      let text;
      try {
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      } catch {
        continue;
      }
      const metric = (name) => Number((new RegExp(`^${name}\\{[^}]*\\} (\\S+)`, 'm').exec(text) ?? [])[1] ?? 0);
      read = metric('watchkeeper_log_collector_lines_read_total');
      sent = metric('watchkeeper_log_collector_events_sent_total');
      if (read > 0 && !firstRead) firstRead = Date.now();
      // Done when the checkpoint reached the end of the file: every event acknowledged by Kafka.
      if (isDone(metric)) done = Date.now();
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  // The floor on the same broker: kafkajs alone sending as many messages of the same shape.
  let floor;
  try {
    // BENCH_FLOOR=0 skips the floor row while tuning.
    if (done && floorCount && process.env.BENCH_FLOOR !== '0') floor = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'kafkajs-floor.cjs'), `127.0.0.1:${KAFKA_PORT}`, String(sent)], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop());
  } finally {
    kafka('stop');
    fs.rmSync(runDir, { recursive: true, force: true });
    execFileSync(process.execPath, ['-e', `require('mongoose').createConnection(${JSON.stringify(MONGO_URL)}).asPromise().then(c=>c.useDb(${JSON.stringify(db)}).dropDatabase().then(()=>c.close()))`], { cwd: ROOT });
  }
  if (!done) throw new Error(`collector did not finish: ${read} lines read, ${sent} events sent`);
  return { seconds: (done - firstRead) / 1000, total: (done - started) / 1000, sent, read, peakRss, cpuSeconds, floor };
}

/** `env`: extra collector variables. */
function fileToKafka(env = {}, floorCount = true) {
  const size = fs.statSync(FILE).size;
  // Done when the checkpoint reached the end of the file: every event acknowledged by Kafka.
  return shipToKafka({ LOG_COLLECTOR_FILES: FILE, ...env }, (metric) => metric('watchkeeper_log_collector_checkpoint_offset_bytes') >= size, floorCount);
}

/**
 * The journald source on real journal files holding JOURNAL_LINES of the same generator's lines
 * (RFC 3339 stamps), read by the real journalctl; beside journalctl alone printing the same entries.
 */
async function journalToKafka() {
  const dir = path.join(WORK, `journal-${JOURNAL_LINES}`);
  const metaFile = path.join(dir, 'meta.json');
  if (!fs.existsSync(metaFile)) {
    fs.rmSync(dir, { recursive: true, force: true });
    const out = execFileSync(process.execPath, [path.join(__dirname, 'make-journal.cjs'), dir, String(JOURNAL_LINES), '1'], { encoding: 'utf8' });
    fs.writeFileSync(metaFile, out.trim().split('\n').pop());
  }
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  const ids = ['sshd', 'sshd-session', 'sshd-auth'];
  const matches = [...ids.map((i) => `SYSLOG_IDENTIFIER=${i}`), '+', ...ids.map((i) => `_COMM=${i}`)];
  const journalctl = best(3, () =>
    timed('journalctl', [`--directory=${dir}`, '--output=json', '--no-pager', '--output-fields=MESSAGE,SYSLOG_IDENTIFIER,_COMM,_PID,SYSLOG_PID,_HOSTNAME', ...matches]),
  );
  const k = await shipToKafka(
    { LOG_COLLECTOR_SOURCE: 'journald', LOG_COLLECTOR_JOURNAL_DIRECTORY: dir },
    (metric) => metric('watchkeeper_log_collector_journal_checkpoint_time_seconds') >= meta.lastSshdSeconds - 0.001,
    false,
  );
  return { ...k, meta, journalctl };
}

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  if (!fs.existsSync(FILE)) execFileSync(process.execPath, [path.join(__dirname, 'generate-auth-log.cjs'), FILE, String(LINES), '1'], { stdio: 'inherit' });
  if (process.env.BENCH_ONLY === 'kafka') {
    // While tuning: the file → Kafka figure alone, printed, no results file.
    console.log(await fileToKafka());
    return;
  }
  if (process.env.BENCH_ONLY === 'journal') {
    console.log(await journalToKafka());
    return;
  }
  const uptime0 = execFileSync('uptime', { encoding: 'utf8' }).trim();
  const size = fs.statSync(FILE).size;
  const load0 = os.loadavg()[0];

  const grepMatches = Number(execFileSync('grep', ['-c', 'sshd', FILE], { encoding: 'utf8' }).trim());
  const grep = best(3, () => timed('grep', ['-c', 'sshd', FILE]));
  const countText = execFileSync(process.execPath, [BIN, 'count', '--file', FILE, '--tz', 'UTC', '--year', '2024', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 }).trimEnd();
  const countJson = JSON.parse(countText);
  // The output before the fast path (commit 40aba1b) for this generated file: speed must not change a figure.
  const goldenFile = path.join(__dirname, 'count-1M-utc-2024.golden.json');
  const identical = LINES === 1_000_000 ? countText === fs.readFileSync(goldenFile, 'utf8') : undefined;
  const count = best(3, () => timed(process.execPath, [BIN, 'count', '--file', FILE, '--tz', 'UTC', '--year', '2024', '--json']));
  console.error('grep and count done; fail2ban-regex next (slow)');
  const f2bOutFile = path.join(WORK, 'fail2ban-regex.out');
  const f2b = timed('bash', ['-c', `fail2ban-regex "$0" sshd > "$1"`, FILE, f2bOutFile]);
  const f2bMatched = Number((/Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(fs.readFileSync(f2bOutFile, 'utf8')) ?? [])[1]);
  console.error('fail2ban-regex done; file → Kafka next');
  const k = await fileToKafka();
  console.error('file → Kafka done; journald → Kafka next');
  const j = await journalToKafka();
  const load1 = os.loadavg()[0];
  const uptime1 = execFileSync('uptime', { encoding: 'utf8' }).trim();
  const jRate = (n, sec) => Math.round(n / sec).toLocaleString('en');

  const rate = (s) => Math.round(LINES / s).toLocaleString('en');
  const sum = (f) => countJson.days.reduce((n, d) => n + d[f], 0);
  const md = `# log-collector benchmark

Generated auth.log: ${LINES.toLocaleString('en')} lines, ${(size / 1048576).toFixed(1)} MB (bench/log-collector/generate-auth-log.cjs,
seed 1: logins, brute force, scanners, \`message repeated\`, PAM, cron/sudo/logind noise; ${grepMatches.toLocaleString('en')} lines mention sshd).
Run: \`node bench/log-collector/run.cjs\` after \`npx tsc -b\`, \`bash bench/log-collector/setup.sh\` (fail2ban from Debian)
and \`bash tools/infra/stack.sh start\`. Machine: ${os.cpus().length} cores (${os.cpus()[0].model}), Node ${process.version}.
Date: ${new Date().toISOString()}. 1-minute load average at start / end: ${load0.toFixed(2)} / ${load1.toFixed(2)}
(other engineers' builds and tests share the 2 cores; their load counts against these figures).
\`uptime\` before: \`${uptime0}\`; after: \`${uptime1}\`.

## One-shot: \`count\` beside its peers on the same file (best of 3 for grep and count, 1 run of fail2ban-regex)

| tool | wall | CPU (user+sys) | lines/s (wall) | lines/s per CPU-second | result |
| --- | --- | --- | --- | --- | --- |
| \`grep -c sshd\` (floor: no parsing) | ${grep.wall.toFixed(2)} s | ${grep.cpu.toFixed(2)} s | ${rate(grep.wall)} | ${rate(grep.cpu)} | ${grepMatches.toLocaleString('en')} lines |
| \`watchkeeper-log-collector count --json\` | ${count.wall.toFixed(2)} s | ${count.cpu.toFixed(2)} s | ${rate(count.wall)} | ${rate(count.cpu)} | ${countJson.sshd.toLocaleString('en')} sshd lines, ${countJson.unrecognized} unrecognised; ${sum('sessions')} sessions, ${sum('failed')} failed, ${sum('accepted')} accepted, ${sum('invalidUser')} invalid user |
| \`fail2ban-regex <file> sshd\` (fail2ban 1.0.2) | ${f2b.wall.toFixed(2)} s | ${f2b.cpu.toFixed(2)} s | ${rate(f2b.wall)} | ${rate(f2b.cpu)} | ${Number.isNaN(f2bMatched) ? 'n/a' : f2bMatched.toLocaleString('en') + ' matched lines'} |

- \`count\` vs fail2ban-regex: **${(f2b.wall / count.wall).toFixed(1)}×** faster (wall), ${(f2b.cpu / count.cpu).toFixed(1)}× per CPU-second — target ≥ 20×: ${f2b.wall / count.wall >= 20 ? 'met' : '**NOT met**'}.
- \`count\` throughput: ${rate(count.wall)} lines/s wall, ${rate(count.cpu)} lines per CPU-second (single-threaded) — floor ≥ 500,000 lines per CPU-second: ${LINES / count.cpu >= 5e5 ? 'met' : '**NOT met**'}.
- \`count --json\` output ${identical === undefined ? 'not compared (golden output exists for 1,000,000 lines only)' : identical ? 'is **byte-identical** to the output before the speed work (bench/log-collector/count-1M-utc-2024.golden.json)' : '**DIFFERS** from the output before the speed work (bench/log-collector/count-1M-utc-2024.golden.json)'}.
- grep is ${(count.wall / grep.wall).toFixed(1)}× faster than \`count\`: it only searches bytes; \`count\` parses every sshd line (header, time, message) and keeps per-host/day sessions and sources.

## File → Kafka (the collector bin, private broker on 127.0.0.1:${KAFKA_PORT}, checkpoints in the MongoDB-wire server)

| figure | value | target |
| --- | --- | --- |
| sustained lines/s (first line read → all ${LINES.toLocaleString('en')} lines read, published with acks=all and checkpointed) | ${rate(k.seconds)} (${k.seconds.toFixed(1)} s) | ≥ 30,000: ${LINES / k.seconds >= 30_000 ? 'met' : '**NOT met**'} |
| including process start, Kafka/Mongo connect | ${k.total.toFixed(1)} s | |
| events sent (all acknowledged, checkpoint at end of file) | ${k.sent.toLocaleString('en')} | |
| CPU of the collector (user+sys) | ${k.cpuSeconds.toFixed(1)} s (${((k.cpuSeconds / k.sent) * 1e6).toFixed(0)} µs per event) | |
| peak RSS of the collector (VmHWM) | ${k.peakRss.toFixed(0)} MB | < 150 MB: ${k.peakRss < 150 ? 'met' : '**NOT met**'} |
${k.floor ? `| floor: kafkajs alone, ${k.sent.toLocaleString('en')} messages of the same shape (JSON + 6 CloudEvents headers, requests of 250, acks=all) | ${k.floor.seconds.toFixed(1)} s wall, ${k.floor.cpuSeconds.toFixed(1)} s CPU (${((k.floor.cpuSeconds / k.sent) * 1e6).toFixed(0)} µs per message), ${Math.round(k.sent / k.floor.seconds).toLocaleString('en')} messages/s, RSS ${k.floor.rssMb.toFixed(0)} MB | |
` : ''}
## Journald → Kafka (the collector bin with \`LOG_COLLECTOR_SOURCE=journald\`, same private broker)

Journal files: ${j.meta.entries.toLocaleString('en')} entries of the same generator (RFC 3339 stamps) written by Debian's
systemd-journal-remote (bench/log-collector/make-journal.cjs); journalctl's matches keep the ${j.meta.sshdEntries.toLocaleString('en')} sshd entries.

| figure | value |
| --- | --- |
| sustained (first entry read → all sshd entries published with acks=all and the cursor saved) | ${jRate(j.meta.sshdEntries, j.seconds)} sshd entries/s = ${jRate(j.meta.entries, j.seconds)} auth.log-equivalent lines/s (${j.seconds.toFixed(1)} s) |
| events sent | ${j.sent.toLocaleString('en')} |
| CPU of the collector (user+sys; journalctl is a child process, not included) | ${j.cpuSeconds.toFixed(1)} s (${((j.cpuSeconds / j.sent) * 1e6).toFixed(0)} µs per event) |
| peak RSS of the collector (VmHWM) | ${j.peakRss.toFixed(0)} MB |
| floor: \`journalctl -o json\` alone printing the same entries (best of 3) | ${j.journalctl.wall.toFixed(2)} s wall, ${j.journalctl.cpu.toFixed(2)} s CPU: ${jRate(j.meta.sshdEntries, j.journalctl.wall)} entries/s |
${fs.existsSync(NOTES) ? '\n' + fs.readFileSync(NOTES, 'utf8') : ''}`;
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/log-collector.md'), md);
  process.stdout.write(md);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
