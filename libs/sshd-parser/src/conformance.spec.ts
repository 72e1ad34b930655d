/**
 * Conformance with the annotated corpora of fail2ban and sshguard (../shared/data/sshd, outside the
 * repository; see its README). Skipped, saying so, when the folder is absent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeAddress } from './address';
import { SshdParser, type LineResult } from './sshd-parser';

const DATA = path.resolve(__dirname, '../../../../shared/data/sshd');
const present = fs.existsSync(path.join(DATA, 'fail2ban-sshd.log'));
if (!present) {
  console.warn(`sshd conformance corpus not found at ${DATA} (../shared/data/sshd from the repo root): conformance tests skipped`);
}
const describeCorpus = present ? describe : describe.skip;

interface Annotated {
  lineNo: number;
  text: string;
  expect: { match: boolean; host?: string; ip4?: string; ip6?: string; time?: string };
}

/** Lines of a fail2ban test log with the `# failJSON:` annotation above each. */
function annotated(file: string): Annotated[] {
  const out: Annotated[] = [];
  let pending: Annotated['expect'] | undefined;
  fs.readFileSync(path.join(DATA, file), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.startsWith('# failJSON:')) pending = JSON.parse(text.slice('# failJSON:'.length));
      else if (text.startsWith('#') || text.trim() === '') return;
      else if (pending) {
        out.push({ lineNo: i + 1, text, expect: pending });
        pending = undefined;
      }
    });
  return out;
}

/** Wall time in Europe/Berlin, where fail2ban's test suite runs, as `YYYY-MM-DDTHH:MM:SS`. */
function berlin(iso: string): string {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return f.format(new Date(iso)).replace(' ', 'T');
}

function expectedAddress(e: Annotated['expect']): string | undefined {
  const a = e.host ?? e.ip4 ?? e.ip6;
  return a === undefined ? undefined : normalizeAddress(a);
}

describeCorpus('fail2ban sshd corpus', () => {
  it('every line annotated match: true yields an event with the annotated address and time', () => {
    const parser = new SshdParser({ defaultHost: 'corpus', year: 2005, timeZone: 'Europe/Berlin' });
    const cases = annotated('fail2ban-sshd.log');
    expect(cases.filter((c) => c.expect.match).length).toBeGreaterThan(100);
    const problems: string[] = [];
    for (const c of cases) {
      const r = parser.parseLine(c.text);
      if (!c.expect.match) continue;
      const want = expectedAddress(c.expect);
      if (r.type !== 'event') problems.push(`line ${c.lineNo}: ${r.type}: ${c.text}`);
      else if (want !== undefined && r.event.sourceIp !== want) problems.push(`line ${c.lineNo}: address ${r.event.sourceIp} != ${want}: ${c.text}`);
      // The corpus is not in time order, so the year our clock infers is not fail2ban's: compare the rest.
      else if (c.expect.time && berlin(r.event.time).slice(5) !== c.expect.time.slice(5)) problems.push(`line ${c.lineNo}: time ${berlin(r.event.time)} != ${c.expect.time}`);
    }
    expect(problems).toEqual([]);
  });

  it('recognises every sshd line of the corpus (none left unrecognised)', () => {
    const parser = new SshdParser({ defaultHost: 'corpus', year: 2005, timeZone: 'UTC' });
    const cases = annotated('fail2ban-sshd.log');
    for (const c of cases) parser.parseLine(c.text);
    expect(parser.unrecognizedSamples).toEqual([]);
    expect(parser.counters.sshd).toBe(cases.length); // every annotated line is an sshd line
    expect(parser.counters.unrecognized).toBe(0);
  });

  it('journal-format lines (no time stamp) give the same addresses', () => {
    const parser = new SshdParser({ defaultHost: 'corpus', timeZone: 'UTC' });
    const cases = annotated('fail2ban-sshd-journal.log');
    expect(cases.filter((c) => c.expect.match).length).toBeGreaterThan(80);
    const problems: string[] = [];
    cases.forEach((c, i) => {
      const m = /^(\S+) ([\w-]+)\[(\d+)\]: (.*)$/.exec(c.text);
      if (!m) return problems.push(`line ${c.lineNo}: not "host prog[pid]: msg"`);
      const r: LineResult = parser.parseMessage({ host: m[1], program: m[2], pid: Number(m[3]), timeMs: 1e12 + i * 1000, timeText: '', message: m[4] });
      if (r.type === 'unrecognized') problems.push(`line ${c.lineNo}: unrecognised: ${c.text}`);
      if (!c.expect.match) return;
      const want = expectedAddress(c.expect);
      if (r.type !== 'event') problems.push(`line ${c.lineNo}: ${r.type}: ${c.text}`);
      else if (want !== undefined && r.event.sourceIp !== want) problems.push(`line ${c.lineNo}: address ${r.event.sourceIp} != ${want}: ${c.text}`);
    });
    expect(problems).toEqual([]);
  });
});

describeCorpus('sshguard ssh cases', () => {
  it('finds the address sshguard finds in every sshd case (service 100)', () => {
    const text = fs.readFileSync(path.join(DATA, 'sshguard-ssh-cases.txt'), 'utf8');
    const sshPart = text.slice(0, text.indexOf('# Dropbear'));
    const lines = sshPart.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const problems: string[] = [];
    let checked = 0;
    for (let i = 0; i + 2 < lines.length + 1; i += 3) {
      const [message, verdict, flag] = lines.slice(i, i + 3);
      expect(flag).toBe('M');
      const parser = new SshdParser({ defaultHost: 'corpus', timeZone: 'UTC', year: 2020 });
      let r = parser.parseLine(message);
      if (r.type === 'other') {
        // Bare messages, or with a stamp and facility but no program: what sshd wrote after its tag.
        const body = message.replace(/^\S+ auth\.info: /, '');
        r = parser.parseMessage({ program: 'sshd', pid: 1, timeMs: 0, timeText: '', message: body });
      }
      if (r.type !== 'event') {
        problems.push(`${r.type}: ${message}`);
        continue;
      }
      const [code, address] = verdict.split(' ');
      if (code !== '100') continue;
      checked++;
      if (r.event.sourceIp !== normalizeAddress(address)) problems.push(`address ${r.event.sourceIp} != ${address}: ${message}`);
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(35);
  });
});
