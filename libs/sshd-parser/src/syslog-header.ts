/** A syslog line split into its parts; the time is still text plus fields, resolved by the parser. */
export interface SyslogHeader {
  /** The stamp as it stood in the line. */
  timeText: string;
  stamp: ClassicStamp | IsoStamp;
  /** Absent when the line carries no host name (`Mar 3 00:17:22 sshd[1]: …`). */
  host?: string;
  program: string;
  /** 0 when the tag has no PID (`[sshd]:`). */
  pid: number;
  message: string;
}

export interface ClassicStamp {
  type: 'classic';
  month: number;
  day: number;
  h: number;
  m: number;
  s: number;
}

export interface IsoStamp {
  type: 'iso';
  y: number;
  month: number;
  day: number;
  h: number;
  m: number;
  s: number;
  fracMs: number;
  /** Offset in minutes east of UTC; undefined = wall time in the configured zone. */
  offsetMin?: number;
}

const MONTHS: Record<string, number> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };
const PRIORITY = /^<\d{1,3}>/;
const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)? +/;
const RFC5424 = /^1 (\S+) (\S+) (\S+) (\S+) (\S+) /;

/** Splits one line; undefined when the line has no recognisable syslog header. */
export function parseSyslogHeader(line: string): SyslogHeader | undefined {
  let rest = line;
  if (rest.charCodeAt(0) === 60 /* < */) {
    const pri = PRIORITY.exec(rest);
    if (pri) {
      rest = rest.slice(pri[0].length);
      if (rest.startsWith('1 ')) return parseRfc5424(rest);
    }
  }
  let timeText: string;
  let stamp: ClassicStamp | IsoStamp;
  let at: number;
  const first = rest.charCodeAt(0);
  if (first >= 65 && first <= 90 /* A-Z: classic */) {
    const c = readClassic(rest);
    if (!c) return undefined;
    stamp = c.stamp;
    timeText = rest.slice(0, c.end);
    at = c.end;
  } else {
    const i = ISO.exec(rest);
    if (!i) return undefined;
    timeText = i[0].trimEnd();
    stamp = isoStamp(i);
    at = i[0].length;
  }
  while (rest.charCodeAt(at) === 32) at++;
  return readTag(rest, at, timeText, stamp);
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const isDigit = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

/** `Mar 29 17:37:18`, `Mar  3 00:17:22`, `Feb 7 16:01:07`, optionally with `.fraction`; by hand, as it is the hot path. */
function readClassic(s: string): { stamp: ClassicStamp; end: number } | undefined {
  const month = MONTHS[s.slice(0, 3)];
  if (!month || s.charCodeAt(3) !== 32) return undefined;
  let i = 4;
  if (s.charCodeAt(i) === 32) i++;
  if (!isDigit(s, i)) return undefined;
  let day = digit(s, i++);
  if (isDigit(s, i)) day = day * 10 + digit(s, i++);
  if (s.charCodeAt(i) !== 32 || s.charCodeAt(i + 3) !== 58 || s.charCodeAt(i + 6) !== 58) return undefined;
  for (const k of [1, 2, 4, 5, 7, 8]) if (!isDigit(s, i + k)) return undefined;
  const h = digit(s, i + 1) * 10 + digit(s, i + 2);
  const m = digit(s, i + 4) * 10 + digit(s, i + 5);
  const sec = digit(s, i + 7) * 10 + digit(s, i + 8);
  let end = i + 9;
  if (s.charCodeAt(end) === 46 /* . */) {
    end++;
    while (isDigit(s, end)) end++;
  }
  if (s.charCodeAt(end) !== 32) return undefined;
  return { stamp: { type: 'classic', month, day, h, m, s: sec }, end };
}

/**
 * After the stamp: `host prog[pid]: msg`, `prog[pid]: msg` (no host), `[prog]: msg`, `[prog] msg`,
 * `host /usr/sbin/sshd[1]: msg`. A host may hold ":" (an IPv6 address) but not end with it.
 */
function readTag(s: string, at: number, timeText: string, stamp: ClassicStamp | IsoStamp): SyslogHeader | undefined {
  let sp = s.indexOf(' ', at);
  if (sp < 0) return undefined;
  let host: string | undefined;
  let tagStart = at;
  if (!isTag(s, at, sp)) {
    host = s.slice(at, sp);
    tagStart = sp + 1;
    sp = s.indexOf(' ', tagStart);
    if (sp < 0) sp = s.length;
    if (!isTag(s, tagStart, sp)) return undefined;
  }
  let tagEnd = sp;
  if (s.charCodeAt(tagEnd - 1) === 58 /* : */) tagEnd--;
  let program: string;
  let pid = 0;
  if (s.charCodeAt(tagStart) === 91 /* [ */) {
    program = s.slice(tagStart + 1, tagEnd - 1);
  } else {
    const bracket = s.indexOf('[', tagStart);
    if (bracket >= 0 && bracket < tagEnd) {
      program = s.slice(tagStart, bracket);
      for (let i = bracket + 1; i < tagEnd - 1; i++) {
        if (!isDigit(s, i)) return undefined;
        pid = pid * 10 + digit(s, i);
      }
    } else program = s.slice(tagStart, tagEnd);
    const slash = program.lastIndexOf('/');
    if (slash >= 0) program = program.slice(slash + 1);
  }
  return { timeText, stamp, host, program, pid, message: sp < s.length ? s.slice(sp + 1) : '' };
}

/** A tag token: `x:`, `x[12]:`, `x[12]`, `[x]`, `[x]:` (a host name never ends in ":" or "]"). */
function isTag(s: string, start: number, end: number): boolean {
  const last = s.charCodeAt(end - 1);
  if (last === 58 /* : */) return end - start > 1 && s.charCodeAt(end - 2) !== 58;
  if (last === 93 /* ] */) return s.charCodeAt(start) === 91 || s.indexOf('[', start) < end;
  return false;
}

function parseRfc5424(rest: string): SyslogHeader | undefined {
  const r = RFC5424.exec(rest);
  if (!r) return undefined;
  const i = ISO.exec(r[1] + ' ');
  if (!i) return undefined;
  let msg = rest.slice(r[0].length);
  if (msg.startsWith('-')) msg = msg.slice(1);
  else if (msg.startsWith('[')) msg = msg.slice(structuredDataLength(msg));
  if (msg.startsWith(' ')) msg = msg.slice(1);
  if (msg.startsWith('\uFEFF')) msg = msg.slice(1);
  const pid = /^\d+$/.test(r[4]) ? Number(r[4]) : 0;
  return { timeText: r[1], stamp: isoStamp(i), host: r[2] === '-' ? undefined : r[2], program: basename(r[3]), pid, message: msg };
}

/** Length of RFC 5424 STRUCTURED-DATA: `[id k="v"]…`, where values may hold `]` inside quotes. */
function structuredDataLength(s: string): number {
  let i = 0;
  while (s[i] === '[') {
    let quoted = false;
    for (i++; i < s.length; i++) {
      const ch = s[i];
      if (ch === '\\') i++;
      else if (ch === '"') quoted = !quoted;
      else if (ch === ']' && !quoted) break;
    }
    i++;
  }
  return i;
}

function isoStamp(i: RegExpExecArray): IsoStamp {
  const frac = i[7] ? Number(('0.' + i[7]).slice(0, 6)) * 1000 : 0;
  let offsetMin: number | undefined;
  if (i[8] === 'Z') offsetMin = 0;
  else if (i[8]) {
    const sign = i[8][0] === '-' ? -1 : 1;
    const digits = i[8].slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  return { type: 'iso', y: +i[1], month: +i[2], day: +i[3], h: +i[4], m: +i[5], s: +i[6], fracMs: Math.floor(frac), offsetMin };
}

function basename(p: string): string {
  const slash = p.lastIndexOf('/');
  return slash >= 0 ? p.slice(slash + 1) : p;
}
