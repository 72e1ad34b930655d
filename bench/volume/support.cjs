'use strict';
// What both volume benchmarks need: waiting for a condition, and the load average to record beside a figure.
const os = require('node:os');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));

/** Resolves with check()'s first truthy value (a throw counts as not yet); rejects after timeoutMs. */
async function until(what, check, timeoutMs, everyMs = 200) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(everyMs);
  }
}

module.exports = { sleep, load, until };
