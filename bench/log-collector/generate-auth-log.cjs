#!/usr/bin/env node
// Writes a realistic auth.log (sshd logins, brute force, scanners, repeats, cron/sudo/logind noise)
// from the deterministic generator in libs/sshd-parser. Usage: generate-auth-log.cjs <file> [lines] [seed]
const fs = require('node:fs');
const { SyntheticAuthLog } = require('../../libs/sshd-parser/dist');

const [file, linesArg = '1000000', seedArg = '1'] = process.argv.slice(2);
if (!file) {
  console.error('usage: generate-auth-log.cjs <file> [lines] [seed]');
  process.exit(64);
}
const total = Number(linesArg);
const gen = new SyntheticAuthLog({ seed: Number(seedArg), start: Date.parse('2024-03-01T00:00:00Z'), meanGapSeconds: 0.5 });
const fd = fs.openSync(file, 'w');
for (let done = 0; done < total; ) {
  const n = Math.min(50_000, total - done);
  fs.writeSync(fd, gen.lines(n).join('\n') + '\n');
  done += n;
}
fs.closeSync(fd);
console.error(`wrote ${total} lines to ${file} (${(fs.statSync(file).size / 1048576).toFixed(1)} MB)`);
