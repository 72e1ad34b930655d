/**
 * The commonest sshd line shape read straight from the bytes of a chunk, so `count` never decodes a
 * whole line: `Mon  D HH:MM:SS host sshd[PID]: message` (also sshd-session / sshd-auth) and
 * `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM) host sshd[PID]: message`. Anything else — priority prefix,
 * RFC 5424, no host, classic stamp with fraction, another program, non-ASCII host, no PID — returns
 * false and the caller takes the string path (parseSyslogHeader), which stays the one definition: this
 * reader only accepts lines on which it gives exactly what parseSyslogHeader gives.
 */
export interface ByteHeader {
  /** Byte range of the stamp text (equal to SyslogHeader.timeText). */
  stampStart: number;
  stampEnd: number;
  /** 'classic' or 'iso' (with offset) — fields filled as ClassicStamp / IsoStamp would be. */
  iso: boolean;
  y: number;
  month: number;
  day: number;
  h: number;
  m: number;
  s: number;
  fracMs: number;
  offsetMin: number;
  hostStart: number;
  hostEnd: number;
  program: 'sshd' | 'sshd-session' | 'sshd-auth';
  pid: number;
  /** Start of the message (after the tag's space); the message runs to the line end. */
  messageStart: number;
}

/** "Jan".."Dec" as a 24-bit key of their three bytes → month 1–12. */
const MONTH_BY_KEY = new Map<number, number>(
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((m, i) => [(m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2), i + 1]),
);

const isD = (c: number) => c >= 48 && c <= 57;

/** Reads the header of bytes [start, end) into `out`; false when the line is not of the simple shape. */
export function readByteHeader(b: Buffer, start: number, end: number, out: ByteHeader): boolean {
  let i = start;
  const c0 = b[i];
  if (c0 >= 65 && c0 <= 90) {
    if (end - start < 16) return false;
    const month = MONTH_BY_KEY.get((c0 << 16) | (b[i + 1] << 8) | b[i + 2]);
    if (month === undefined || b[i + 3] !== 32) return false;
    i += 4;
    if (b[i] === 32) i++;
    if (!isD(b[i])) return false;
    let day = b[i++] - 48;
    if (isD(b[i])) day = day * 10 + b[i++] - 48;
    if (i + 10 > end || b[i] !== 32 || b[i + 3] !== 58 || b[i + 6] !== 58) return false;
    if (!isD(b[i + 1]) || !isD(b[i + 2]) || !isD(b[i + 4]) || !isD(b[i + 5]) || !isD(b[i + 7]) || !isD(b[i + 8])) return false;
    // A fraction (`.123`) is left to the string path; the stamp must end with a space.
    if (b[i + 9] !== 32) return false;
    out.iso = false;
    out.month = month;
    out.day = day;
    out.h = (b[i + 1] - 48) * 10 + b[i + 2] - 48;
    out.m = (b[i + 4] - 48) * 10 + b[i + 5] - 48;
    out.s = (b[i + 7] - 48) * 10 + b[i + 8] - 48;
    out.stampStart = start;
    out.stampEnd = i + 9;
    i += 9;
  } else if (isD(c0)) {
    i = readIso(b, start, end, out);
    if (i < 0) return false;
  } else return false;
  while (i < end && b[i] === 32) i++;

  // Host: printable ASCII up to a space, not ending like a tag (":" or "]": the string path decides those).
  const hostStart = i;
  while (i < end && b[i] > 32 && b[i] < 127) i++;
  if (i === hostStart || i >= end || b[i] !== 32) return false;
  const last = b[i - 1];
  if (last === 58 || last === 93) return false;
  out.hostStart = hostStart;
  out.hostEnd = i;
  i++;

  // Tag: exactly `sshd[digits]: `, `sshd-session[digits]: ` or `sshd-auth[digits]: `.
  if (b[i] !== 115 || b[i + 1] !== 115 || b[i + 2] !== 104 || b[i + 3] !== 100) return false; // "sshd"
  i += 4;
  if (b[i] === 91) out.program = 'sshd';
  else if (b[i] === 45 /* - */ && end - i >= 9 && sameAscii(b, i, SESSION_TAG)) {
    out.program = 'sshd-session';
    i += 8;
  } else if (b[i] === 45 && end - i >= 6 && sameAscii(b, i, AUTH_TAG)) {
    out.program = 'sshd-auth';
    i += 5;
  } else return false;
  i++; // "["
  if (!isD(b[i])) return false;
  let pid = 0;
  while (isD(b[i]) && pid < 1e9) pid = pid * 10 + b[i++] - 48;
  if (b[i] !== 93 || b[i + 1] !== 58 || b[i + 2] !== 32 || i + 3 > end) return false;
  out.pid = pid;
  out.messageStart = i + 3;
  return true;
}

const POW10 = [1, 10, 100, 1000, 10000];
const SESSION_TAG = [...'-session['].map((c) => c.charCodeAt(0));
const AUTH_TAG = [...'-auth['].map((c) => c.charCodeAt(0));

/** bytes from `at` equal the ASCII codes `s` (no string made: this runs on a fifth of all lines). */
function sameAscii(b: Buffer, at: number, s: number[]): boolean {
  for (let k = 0; k < s.length; k++) if (b[at + k] !== s[k]) return false;
  return true;
}
const two = (b: Buffer, i: number) => (b[i] - 48) * 10 + b[i + 1] - 48;

/**
 * `2024-03-01T00:00:00[.frac](Z|+HH:MM|+HHMM)` followed by spaces, as the ISO regex of the string path
 * reads it; only stamps with an offset (wall times need the zone's DST rules: string path). Returns
 * the index just after the stamp, or -1.
 */
function readIso(b: Buffer, start: number, end: number, out: ByteHeader): number {
  if (start + 21 > end) return -1;
  for (const k of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) if (!isD(b[start + k])) return -1;
  if (b[start + 4] !== 45 || b[start + 7] !== 45 || b[start + 10] !== 84 || b[start + 13] !== 58 || b[start + 16] !== 58) return -1;
  let i = start + 19;
  let fracMs = 0;
  if (b[i] === 46) {
    i++;
    if (!isD(b[i])) return -1;
    // The string path computes Math.floor(Number(('0.' + digits).slice(0, 6)) * 1000): the first four
    // digits as a decimal fraction. d / 10^k is the same double as Number('0.' + those digits) (both
    // are the correctly rounded value), so the same floating-point steps give the same millisecond.
    let d = 0;
    let k = 0;
    while (i < end && isD(b[i])) {
      if (k < 4) {
        d = d * 10 + b[i] - 48;
        k++;
      }
      i++;
    }
    fracMs = Math.floor((d / POW10[k]) * 1000);
  }
  let offsetMin: number;
  if (b[i] === 90) {
    offsetMin = 0;
    i++;
  } else if (b[i] === 43 || b[i] === 45) {
    const sign = b[i] === 45 ? -1 : 1;
    if (!isD(b[i + 1]) || !isD(b[i + 2])) return -1;
    const hh = two(b, i + 1);
    let j = i + 3;
    if (b[j] === 58) j++;
    if (!isD(b[j]) || !isD(b[j + 1])) return -1;
    offsetMin = sign * (hh * 60 + two(b, j));
    i = j + 2;
  } else return -1;
  if (b[i] !== 32) return -1;
  out.iso = true;
  out.y = two(b, start) * 100 + two(b, start + 2);
  out.month = two(b, start + 5);
  out.day = two(b, start + 8);
  out.h = two(b, start + 11);
  out.m = two(b, start + 14);
  out.s = two(b, start + 17);
  out.fracMs = fracMs;
  out.offsetMin = offsetMin;
  out.stampStart = start;
  out.stampEnd = i;
  return i;
}

export function newByteHeader(): ByteHeader {
  return { stampStart: 0, stampEnd: 0, iso: false, y: 0, month: 0, day: 0, h: 0, m: 0, s: 0, fracMs: 0, offsetMin: 0, hostStart: 0, hostEnd: 0, program: 'sshd', pid: 0, messageStart: 0 };
}
