#!/usr/bin/env node
// Writes N generated auth.log lines (the benchmark's generator, RFC 3339 stamps) as real journal
// entries with Debian's systemd-journal-remote (journal export format on stdin), for the journald
// source's figure. Usage: make-journal.cjs <dir> [lines] [seed]; prints {"entries","sshdEntries","lastSeconds","lastSshdSeconds"}.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { SyntheticAuthLog, parseSyslogHeader } = require('../../libs/sshd-parser/dist');

const [dir, linesArg = '200000', seedArg = '1'] = process.argv.slice(2);
const total = Number(linesArg);
fs.mkdirSync(dir, { recursive: true });
const gen = new SyntheticAuthLog({ seed: Number(seedArg), start: Date.parse('2024-03-01T00:00:00Z'), meanGapSeconds: 0.5, stamps: 'rfc3339' });
const child = spawn('/usr/lib/systemd/systemd-journal-remote', ['-o', path.join(dir, 'system.journal'), '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
let sshd = 0;
let lastMs = 0;
let lastSshdMs = 0;
let monotonic = 1;

async function main() {
  for (let done = 0; done < total; ) {
    const n = Math.min(20_000, total - done);
    let out = '';
    for (const line of gen.lines(n)) {
      const h = parseSyslogHeader(line);
      const s = h.stamp;
      lastMs = Date.UTC(s.y, s.month - 1, s.day, s.h, s.m, s.s) + s.fracMs - (s.offsetMin ?? 0) * 60_000;
      if (/^sshd(-session|-auth)?$/.test(h.program)) {
        sshd++;
        lastSshdMs = lastMs;
      }
      out += `__REALTIME_TIMESTAMP=${Math.round(lastMs * 1000)}\n__MONOTONIC_TIMESTAMP=${monotonic++}\n_BOOT_ID=5e1f0c0ffee0000000000000000000b0\n_HOSTNAME=${h.host}\nSYSLOG_IDENTIFIER=${h.program}\n_COMM=${h.program}\n_PID=${h.pid}\nMESSAGE=${h.message}\n\n`;
    }
    if (!child.stdin.write(out)) await new Promise((r) => child.stdin.once('drain', r));
    done += n;
  }
  child.stdin.end();
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`systemd-journal-remote exited ${code}`);
  console.log(JSON.stringify({ entries: total, sshdEntries: sshd, lastSeconds: lastMs / 1000, lastSshdSeconds: lastSshdMs / 1000 }));
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
