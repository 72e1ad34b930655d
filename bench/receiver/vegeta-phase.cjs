#!/usr/bin/env node
// One open-loop, fixed-rate phase with vegeta (Go, constant rate): PUT /v1/host-health/<host> cycling
// through the bench hosts, each with its own token. Prints one JSON line: the rates, the latency
// percentiles of 2xx answers only (a fast 503 must not flatter the figures), the shed/other/error
// counts, and the CPU time each named process spent during the phase (from /proc/<pid>/stat; vegeta's
// own from /usr/bin/time), per request sent.
//
// How vegeta measures: each request's latency runs from its actual send (including any wait for one of
// the at most 256 connections) to the end of its answer. It
// keeps the rate by adding workers (up to -max-workers), so a stalled server does not slow the sending
// and a stall counts against every request sent into it; only if every worker is busy would a send be
// delayed (coordinated omission). That is reported: "sent" below the schedule (rate x seconds) or an
// actual sending rate below the target means the generator fell behind.
//
// Usage: node vegeta-phase.cjs VEGETA BASE_URL RATE SECONDS WORKDIR NAME [label=pid ...]
//   (BENCH_TOKENS: file of "host token" lines)
const fs = require('node:fs');
const { execFileSync, spawnSync } = require('node:child_process');

const [vegeta, baseUrl, rateArg, secondsArg, work, name, ...pidArgs] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const maxWorkers = 20000; // 4 s of stall at 5,000 req/s before sends could be delayed
// Connections per server at most, as the earlier Node generator's 256 sockets and above the receiver's
// in-flight limit (128), so shedding still shows. A request waiting for a connection is already timed
// (vegeta's clock starts before the wait), so the cap hides no queueing; without it an overloaded server
// got thousands of new connections, which cost vegeta 1–2 ms of CPU per request on the same two cores
// and the server memory per socket.
const maxConnections = 256;
const timeoutS = 10;
const body = '{"load":[0.42,0.37,0.31],"disk":{"/":0.61,"/var":0.33},"services":{"sshd":"active","chronyd":"active"},"uptime":123456}';
const bodyFile = `${work}/body.json`;
fs.writeFileSync(bodyFile, body);
const base = baseUrl.replace(/\/$/, '');
const targets = fs
  .readFileSync(process.env.BENCH_TOKENS, 'utf8')
  .trim()
  .split('\n')
  .map((l) => l.split(' '))
  .map(([host, token]) => `PUT ${base}/${host}\nAuthorization: Bearer ${token}\nContent-Type: application/json\n@${bodyFile}\n`)
  .join('\n');
const targetsFile = `${work}/${name}.targets`;
fs.writeFileSync(targetsFile, `${targets}\n`);

const ticks = (pid) => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15), clock ticks
  } catch {
    return NaN;
  }
};
const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const procs = pidArgs.map((a) => a.split('=')).filter(([, pid]) => pid);
const before = procs.map(([, pid]) => ticks(pid));
const machine = () => fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
const m0 = machine();
const t0 = process.hrtime.bigint();

const results = `${work}/${name}.bin`;
const timeFile = `${work}/${name}.time`;
const attack = spawnSync(
  '/usr/bin/time',
  ['-f', '%U %S', '-o', timeFile, vegeta, 'attack', `-targets=${targetsFile}`, `-rate=${rate}/s`, `-duration=${seconds}s`, `-max-workers=${maxWorkers}`, `-max-connections=${maxConnections}`, `-timeout=${timeoutS}s`, `-output=${results}`],
  { stdio: ['ignore', 'inherit', 'inherit'], timeout: (seconds + timeoutS + 30) * 1000 },
);
const m1 = machine();
const elapsedS = Number(process.hrtime.bigint() - t0) / 1e9; // the schedule plus the wait for the last answers
const after = procs.map(([, pid]) => ticks(pid));
if (attack.status !== 0) {
  console.log(JSON.stringify({ failed: true, reason: `vegeta attack exited ${attack.status ?? attack.signal}` }));
  process.exit(0);
}
const [vu, vs] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);

// Every result (one per request sent) as CSV: timestamp ns, status code, latency ns, ...
const csv = execFileSync(vegeta, ['encode', '-to', 'csv', results], { encoding: 'utf8', maxBuffer: 1 << 30 });
const report = JSON.parse(execFileSync(vegeta, ['report', '-type=json', results], { encoding: 'utf8' }));
const ok = [];
let sent = 0;
let shed = 0;
let non2xx = 0;
let errors = 0;
for (const line of csv.split('\n')) {
  if (!line) continue;
  sent++;
  const f = line.split(',', 3);
  const code = Number(f[1]);
  if (code >= 200 && code < 300) ok.push(Number(f[2]) / 1e6);
  else if (code === 0) errors++; // no answer: connection error or the 10 s time-out
  else {
    non2xx++;
    if (code === 503) shed++;
  }
}
ok.sort((a, b) => a - b);
const q = (p) => (ok.length ? +ok[Math.min(ok.length - 1, Math.floor(p * ok.length))].toFixed(2) : null);
const busy = (m) => m.slice(0, 3).reduce((s, x) => s + x, 0) + m.slice(5, 8).reduce((s, x) => s + x, 0); // user nice system irq softirq steal
const scheduled = Math.round(rate * seconds);
const perReq = (t) => (sent ? +((t * 1000) / hz / sent).toFixed(3) : null);
const cpu = Object.fromEntries(procs.map(([label], i) => [label, { cpuS: +((after[i] - before[i]) / hz).toFixed(2), msPerRequest: perReq(after[i] - before[i]) }]));
cpu.vegeta = { cpuS: +(vu + vs).toFixed(2), msPerRequest: sent ? +(((vu + vs) * 1000) / sent).toFixed(3) : null };
console.log(
  JSON.stringify({
    generator: 'vegeta',
    maxConnections,
    targetRate: rate,
    scheduled,
    sent,
    sendRate: +Number(report.rate).toFixed(1),
    answeredRate: +((sent - errors) / seconds).toFixed(1),
    achievedRate: +(ok.length / seconds).toFixed(1),
    ok: ok.length,
    non2xx,
    shed,
    errors,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: q(1),
    cpu,
    machineBusyS: +((busy(m1) - busy(m0)) / hz).toFixed(2),
    elapsedS: +elapsedS.toFixed(2),
    seconds,
  }),
);
