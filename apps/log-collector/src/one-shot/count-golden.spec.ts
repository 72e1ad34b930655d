import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { SyntheticAuthLog } from '@watchkeeper/sshd-parser';
import { countCommand } from './commands';
import { parseOneShotArgs } from './options';

/**
 * `count --json` output, byte for byte, as the implementation before the statistics fast path
 * (SshdParser.statsEvent, stamp reuse, accumulator caches) printed it for the same inputs: the
 * speed work must not change a single figure. golden/count-before-fast-path.json was written by
 * that build (commit 40aba1b) — regenerate it only for an intended change of the statistics.
 */
const golden: Record<string, string> = JSON.parse(fs.readFileSync(path.join(__dirname, 'golden/count-before-fast-path.json'), 'utf8'));
const ROOT = path.resolve(__dirname, '../../../..');

/** Each input with the zones that matter for it (all of them for the small sample), to keep the test quick. */
const inputs: Record<string, () => string> = {
  sample: () => fs.readFileSync(path.join(ROOT, 'tools/samples/auth.log'), 'utf8'),
  // Classic stamps across a year end (Dec → Jan starts the next year).
  yearend: () => lines(new SyntheticAuthLog({ seed: 7, start: Date.parse('2023-12-31T20:00:00Z'), meanGapSeconds: 0.5 }).lines(100_000)),
  // RFC 3339 with offsets, across the spring DST change in Europe.
  'rfc-dst': () => lines(new SyntheticAuthLog({ seed: 3, start: Date.parse('2024-03-30T20:00:00Z'), stamps: 'rfc3339', meanGapSeconds: 0.5 }).lines(200_000)),
  // RFC 3339 without offset (wall time of --tz), across the autumn DST change (a repeated hour).
  'wall-dst': () =>
    lines(new SyntheticAuthLog({ seed: 4, start: Date.parse('2024-10-26T20:00:00Z'), stamps: 'rfc3339', meanGapSeconds: 0.5 }).lines(200_000).map((l) => l.replace('+00:00', ''))),
};
const variants: Record<string, string[]> = {
  UTC: ['--tz', 'UTC', '--year', '2024'],
  Europe_Berlin: ['--tz', 'Europe/Berlin', '--year', '2024'],
  Asia_Kolkata: ['--tz', 'Asia/Kolkata', '--year', '2024'],
  America_Los_Angeles: ['--tz', 'America/Los_Angeles', '--year', '2024'],
  'y2023-berlin': ['--year', '2023', '--tz', 'Europe/Berlin'],
};

function lines(ls: string[]): string {
  return ls.join('\n') + '\n';
}

const variantsOf: Record<string, string[]> = {
  sample: Object.keys(variants),
  yearend: ['UTC', 'y2023-berlin'],
  'rfc-dst': ['Europe_Berlin', 'America_Los_Angeles'],
  'wall-dst': ['Europe_Berlin', 'Asia_Kolkata'],
};

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-lc-golden-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('count --json is byte-identical to the output before the fast path', () => {
  for (const [input, make] of Object.entries(inputs)) {
    it(input, async () => {
      const file = path.join(dir, `${input}.log`);
      fs.writeFileSync(file, make());
      for (const variant of variantsOf[input]) {
        const args = variants[variant];
        const parts: Buffer[] = [];
        const out = new Writable({ write: (c, _e, cb) => (parts.push(Buffer.from(c)), cb()) });
        await countCommand(parseOneShotArgs(['count', '--file', file, '--json', ...args]), out);
        expect({ variant, text: Buffer.concat(parts).toString('utf8') }).toEqual({ variant, text: golden[`${input} ${variant}`] });
      }
    });
  }
});
