#!/usr/bin/env node
// Open-loop load at a fixed rate (wrk in Debian is closed-loop, which hides queueing): requests are
// scheduled every 1/rate s whatever the answers do, and each latency is measured from its *scheduled*
// time, so a stall counts against every request it delayed (no coordinated omission).
// Requests still unanswered 10 s after the last send are counted as errors (the run is bounded).
// achievedRate and the percentiles are of 2xx answers; 503s (load shed) are counted apart.
// Usage: node fixed-rate.cjs BASE_URL RATE SECONDS  (BENCH_TOKENS: file of "host token" lines). Prints JSON.
const fs = require('node:fs');
const http = require('node:http');
const [url, rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const body = '{"load":[0.42,0.37,0.31],"disk":{"/":0.61,"/var":0.33},"services":{"sshd":"active","chronyd":"active"},"uptime":123456}';
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const u = new URL(url);
const hosts = fs.readFileSync(process.env.BENCH_TOKENS, 'utf8').trim().split('\n').map((l) => l.split(' '));
const latencies = [];
/** Latencies of 2xx answers only: fast 503s (load shed) must not flatter the figures of real work. */
const okLatencies = [];
let errors = 0;
let non2xx = 0;
let shed = 0;
let inflight = 0;
const total = Math.round(rate * seconds);
const start = process.hrtime.bigint();
let sent = 0;

function fire(scheduledNs, n) {
  const [host, token] = hosts[n % hosts.length];
  inflight++;
  const req = http.request(
    { host: u.hostname, port: u.port, path: `${u.pathname.replace(/\/$/, '')}/${host}`, method: 'PUT', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } },
    (res) => {
      res.resume();
      res.on('end', () => {
        inflight--;
        const ms = Number(process.hrtime.bigint() - scheduledNs) / 1e6;
        if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
        else okLatencies.push(ms);
        if (res.statusCode === 503) shed++;
        latencies.push(ms);
        maybeDone();
      });
    },
  );
  req.on('error', () => {
    inflight--;
    errors++;
    maybeDone();
  });
  req.end(body);
}

function tick() {
  const elapsedNs = process.hrtime.bigint() - start;
  const due = Math.min(total, Math.floor((Number(elapsedNs) / 1e9) * rate));
  while (sent < due) {
    fire(start + BigInt(Math.round((sent / rate) * 1e9)), sent);
    sent++;
  }
  if (sent < total) setImmediate(tick);
  else setTimeout(() => finish(true), 10_000).unref();
}

let finished = false;
function maybeDone() {
  if (sent < total || inflight > 0) return;
  finish(false);
}

function finish(timedOut) {
  if (finished) return;
  finished = true;
  const unanswered = timedOut ? inflight : 0;
  errors += unanswered;
  latencies.sort((a, b) => a - b);
  okLatencies.sort((a, b) => a - b);
  const q = (xs, p) => (xs.length ? +xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(2) : null);
  // Rates over the sending time (the schedule), not including the wait for stragglers.
  const sendS = seconds;
  console.log(
    JSON.stringify({
      targetRate: rate,
      answeredRate: +(latencies.length / sendS).toFixed(1),
      achievedRate: +(okLatencies.length / sendS).toFixed(1),
      requests: total,
      ok: okLatencies.length,
      errors,
      unanswered,
      non2xx,
      shed,
      p50: q(okLatencies, 0.5),
      p90: q(okLatencies, 0.9),
      p99: q(okLatencies, 0.99),
      max: q(okLatencies, 1),
      allP99: q(latencies, 0.99),
    }),
  );
  agent.destroy();
  process.exit(0);
}

tick();
