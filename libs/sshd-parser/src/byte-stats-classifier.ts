/**
 * The statistics' view of the commonest sshd messages read straight from bytes, for `count`: kind,
 * weight (`message repeated N times`), whether a failed method is `none`, and the stated client
 * address — without decoding the message or running a regex. It answers only where it is certain to
 * give what classifySshdMessage gives (the regexes stay the one definition); anything else, however
 * close, returns FALLBACK and the caller decodes the message and classifies it as text. The
 * equivalence is checked line by line by byte-stats-classifier.spec.ts (synthetic logs, the fail2ban
 * and sshguard corpora, edge lines).
 *
 * Why the shortcuts are exact (ADDRESS is address.ts's pattern; user names are lazy `(.*?)`):
 * - A message that ends `… TOK port N` with TOK a dotted quad or a hex-and-colon IPv6 address: the
 *   anchored patterns (`Invalid user`, `Disconnected from`, `Connection closed|reset by`) can only
 *   end their lazy user where the rest is `ADDRESS( port N)?$`, and ADDRESS holds no space, so TOK is
 *   the address (a bare N is no address: ADDRESS refuses a lone number).
 * - `Accepted`/`Failed`/`maximum authentication attempts`: the first ` from ` after the user's start
 *   is the lazy user's first try; when what follows it is `TOK port N( ssh\d?)?` to the end (or, for
 *   Accepted, `: ` and any text), the pattern matches there, so TOK is the address.
 * - PAM lines: `;.*? rhost=(\S*)` takes the first ` rhost=`; the token is accepted only when made of
 *   address characters and ended by a space, a tab or the message's end.
 * `.` does not match "\r", U+2028 or U+2029: a `.*` part holding byte 0x0D or 0xE2 is left to the regex.
 */
export const FALLBACK = 0;
export const STATS_IGNORED = 1;
export const STATS_EVENT = 2;

/** Event kinds the statistics distinguish; the rest only need "an event" (PID and address). */
export type StatsKind =
  | 'accepted'
  | 'failed'
  | 'invalid_user'
  | 'auth_failure'
  | 'disconnected'
  | 'connection_closed'
  | 'session_opened'
  | 'session_closed'
  | 'max_auth_attempts'
  | 'too_many_failures'
  | 'protocol_error';

export interface ByteStats {
  kind: StatsKind;
  count: number;
  /** Byte range of a failed/accepted line's method (`password`, `none`, …). */
  methodStart: number;
  methodEnd: number;
  /** Byte range of the stated address; addrStart < 0 when none. */
  addrStart: number;
  addrEnd: number;
  /** The address has a colon (IPv6): normalizeAddress lower-cases it. */
  addrLower: boolean;
}

export function newByteStats(): ByteStats {
  return { kind: 'accepted', count: 1, methodStart: 0, methodEnd: 0, addrStart: -1, addrEnd: -1, addrLower: false };
}

const SP = 32;
const isD = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** bytes [at, at + s.length) equal the ASCII string `s`. */
function has(b: Buffer, at: number, end: number, s: Uint8Array): boolean {
  const n = s.length;
  if (at + n > end) return false;
  for (let i = 0; i < n; i++) if (b[at + i] !== s[i]) return false;
  return true;
}

const lit = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const PREAUTH = lit(' [preauth]');
const NET = lit(' [net]');
const ACCEPTED = lit('Accepted ');
const FAILED = lit('Failed ');
const FOR = lit('for ');
const FROM = lit(' from ');
const PORT = lit(' port ');
const INVALID_USER = lit('Invalid user ');
const DISCONNECTED_FROM = lit('Disconnected from ');
const CONNECTION_CLOSED_BY = lit('Connection closed by ');
const CONNECTION_RESET_BY = lit('Connection reset by ');
const RECEIVED_DISCONNECT_FROM = lit('Received disconnect from ');
const KW_AUTHENTICATING = lit('authenticating user ');
const KW_INVALID = lit('invalid user ');
const KW_USER = lit('user ');
const PAM_AUTH_FAILURE = lit('pam_unix(sshd:auth): authentication failure;');
const PAM_CHECK_PASS = lit('pam_unix(sshd:auth): check pass;');
const SESSION_OPENED = lit('pam_unix(sshd:session): session opened for user ');
const SESSION_CLOSED = lit('pam_unix(sshd:session): session closed for user ');
const PAM_N = lit('PAM ');
const MORE_FAILURE = lit(' more authentication failure');
const RHOST = lit(' rhost=');
const ERROR = lit('error: ');
const MAX_AUTH = lit('maximum authentication attempts exceeded for ');
const KEX_IDENT = lit('kex_exchange_identification: ');
const REPEATED = lit('message repeated ');
const TIMES = lit(' times: [');
const NONE = lit('none');
const DISCONNECTING = lit('Disconnecting ');
const TOO_MANY = lit('Too many authentication failures');
const BANNER = lit('banner exchange: Connection from ');
const NO_IDENT = lit('Did not receive identification string from ');
const NEGOTIATE = lit('Unable to negotiate with ');

/** Index of `s` in [from, end), or -1. */
function find(b: Buffer, from: number, end: number, s: Uint8Array): number {
  const c0 = s[0];
  for (let i = from; i + s.length <= end; i++) if (b[i] === c0 && has(b, i, end, s)) return i;
  return -1;
}

/** No byte that `.` might not match (0x0D "\r"; 0xE2 starts U+2028/U+2029) in [from, end). */
function dotSafe(b: Buffer, from: number, end: number): boolean {
  for (let i = from; i < end; i++) if (b[i] === 13 || b[i] === 0xe2) return false;
  return true;
}

/**
 * [start, end) is an address ADDRESS matches whole and normalizeAddress keeps as text (or lower-cases):
 * a dotted quad of 1–3 digit groups, or 2–7 colons between hex groups of up to 4 digits. 0 = no,
 * 1 = as is, 2 = lower-case.
 */
function addressToken(b: Buffer, start: number, end: number): number {
  if (start >= end) return 0;
  if (isD(b[start])) {
    // Dotted quad?
    let i = start;
    let groups = 0;
    for (;;) {
      const g = i;
      while (i < end && isD(b[i]) && i - g < 4) i++;
      const n = i - g;
      if (n === 0 || n > 3) break;
      groups++;
      if (i === end) return groups === 4 ? 1 : 0;
      if (b[i] !== 46 || groups === 4) break;
      i++;
    }
    // else maybe IPv6 starting with a digit
  }
  let colons = 0;
  let run = 0;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c === 58) {
      colons++;
      run = 0;
    } else if (isHex(c)) {
      if (++run > 4) return 0;
    } else return 0;
  }
  return colons >= 2 && colons <= 7 ? 2 : 0;
}

/** Start of the last space-separated token before `end` (the token may be empty). */
function tokenStart(b: Buffer, from: number, end: number): number {
  let i = end;
  while (i > from && b[i - 1] !== SP) i--;
  return i;
}

/**
 * The message ends `… TOK port N`: sets the address to TOK and returns its start, or -1. `from` is
 * where the anchored pattern's variable part starts.
 */
function addressBeforePort(b: Buffer, from: number, end: number, out: ByteStats): number {
  let i = end;
  while (i > from && isD(b[i - 1])) i--;
  if (i === end || i - 6 < from || !has(b, i - 6, end, PORT)) return -1;
  const tokEnd = i - 6;
  const tok = tokenStart(b, from, tokEnd);
  const kind = addressToken(b, tok, tokEnd);
  if (kind === 0) return -1;
  out.addrStart = tok;
  out.addrEnd = tokEnd;
  out.addrLower = kind === 2;
  return tok;
}

/**
 * `Disconnected from` / `Connection closed|reset by` + `((authenticating user|invalid user|user) U )?TOK port N$`.
 */
function userThenAddress(b: Buffer, s: number, end: number, out: ByteStats): boolean {
  const tok = addressBeforePort(b, s, end, out);
  if (tok < 0) return false;
  if (tok === s) return true;
  let kwEnd = -1;
  if (has(b, s, end, KW_AUTHENTICATING)) kwEnd = s + KW_AUTHENTICATING.length;
  else if (has(b, s, end, KW_INVALID)) kwEnd = s + KW_INVALID.length;
  else if (has(b, s, end, KW_USER)) kwEnd = s + KW_USER.length;
  // The user (possibly empty) lies between the keyword's space and the space before TOK.
  return kwEnd >= 0 && tok - 1 >= kwEnd;
}

/**
 * From the first ` from ` at or after `userStart`: `TOK port N( ssh\d?)?` to the end, or (colonTail)
 * followed by `: ` and any text.
 */
function addressAfterFirstFrom(b: Buffer, userStart: number, end: number, out: ByteStats, colonTail: boolean): boolean {
  const f = find(b, userStart, end, FROM);
  if (f < 0) return false;
  const tok = f + FROM.length;
  let i = tok;
  while (i < end && b[i] !== SP) i++;
  const kind = addressToken(b, tok, i);
  if (kind === 0 || !has(b, i, end, PORT)) return false;
  const tokEnd = i;
  i += PORT.length;
  const digits = i;
  while (i < end && isD(b[i])) i++;
  if (i === digits) return false;
  if (i < end && b[i] === SP && b[i + 1] === 115 && b[i + 2] === 115 && b[i + 3] === 104 && i + 4 <= end) {
    i += 4; // " ssh"
    if (i < end && isD(b[i])) i++;
  }
  if (i < end) {
    if (!colonTail || b[i] !== 58 || b[i + 1] !== SP || i + 2 > end || !dotSafe(b, i + 2, end)) return false;
  }
  out.addrStart = tok;
  out.addrEnd = tokEnd;
  out.addrLower = kind === 2;
  return true;
}

/** `;.*? rhost=(\S*)` from `from`: the token as the address (none when empty). */
function rhost(b: Buffer, from: number, end: number, out: ByteStats): boolean {
  const r = find(b, from, end, RHOST);
  if (r < 0 || !dotSafe(b, from, r)) return false;
  const tok = r + RHOST.length;
  let i = tok;
  let colon = false;
  let dot = false;
  for (; i < end; i++) {
    const c = b[i];
    if (c === 58) colon = true;
    else if (c === 46) dot = true;
    else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95)) break;
  }
  if (i < end && b[i] !== SP && b[i] !== 9) return false;
  if (colon && dot) return false; // maybe ::ffff:a.b.c.d: normalizeAddress rewrites it
  if (i === tok) {
    out.addrStart = -1;
    return true;
  }
  out.addrStart = tok;
  out.addrEnd = i;
  out.addrLower = colon;
  return true;
}

/**
 * Classifies message bytes [start, end) for the statistics. Returns STATS_EVENT (fields in `out`),
 * STATS_IGNORED, or FALLBACK when the text path must decide.
 */
export function classifyStatsBytes(b: Buffer, start: number, end: number, out: ByteStats): number {
  let e = end;
  if (has(b, e - PREAUTH.length, e, PREAUTH) && e - PREAUTH.length >= start) e -= PREAUTH.length;
  else if (has(b, e - NET.length, e, NET) && e - NET.length >= start) e -= NET.length;
  if (e <= start) return FALLBACK;
  out.count = 1;
  out.addrStart = -1;
  const c0 = b[start];
  // The PAM patterns are not anchored at the end and their tokens stop at whitespace: the text
  // path's trimEnd() cannot change what they find.
  if (c0 === 112) return pam(b, start, e, out);
  // Every other shape ends in an ASCII letter or digit (or "]" of a repeat, or any text after `: `
  // checked by dotSafe), so trimEnd() changes nothing; a message ending otherwise falls back.
  const last = b[e - 1];
  if (!((last >= 48 && last <= 57) || (last >= 65 && last <= 90) || (last >= 97 && last <= 122) || last === 93 || last === 46)) return FALLBACK;
  switch (c0) {
    case 70: // F
      if (!has(b, start, e, FAILED)) return FALLBACK;
      return methodFor(b, start + FAILED.length, e, out, 'failed', false);
    case 65: // A
      if (!has(b, start, e, ACCEPTED)) return FALLBACK;
      return methodFor(b, start + ACCEPTED.length, e, out, 'accepted', true);
    case 73: // I
      if (!has(b, start, e, INVALID_USER)) return FALLBACK;
      {
        const s = start + INVALID_USER.length;
        const tok = addressBeforePort(b, s, e, out);
        // ` from ` right before TOK, after the (possibly empty) user.
        if (tok < 0 || tok - FROM.length < s || !has(b, tok - FROM.length, e, FROM)) return FALLBACK;
      }
      out.kind = 'invalid_user';
      return STATS_EVENT;
    case 68: // D: DISCONNECTED, then DISCONNECTING_USER, (DISCONNECTING: `Disconnecting: `), NO_IDENT
      if (has(b, start, e, DISCONNECTED_FROM)) {
        if (!userThenAddress(b, start + DISCONNECTED_FROM.length, e, out)) return FALLBACK;
        out.kind = 'disconnected';
        return STATS_EVENT;
      }
      if (has(b, start, e, DISCONNECTING)) return disconnecting(b, start + DISCONNECTING.length, e, out);
      if (has(b, start, e, NO_IDENT)) {
        const s = start + NO_IDENT.length;
        if (addressBeforePort(b, s, e, out) !== s) return FALLBACK;
        out.kind = 'protocol_error';
        return STATS_EVENT;
      }
      return FALLBACK;
    case 98: // b: `banner exchange: Connection from ADDRESS( port N)?: .*$`
      if (!has(b, start, e, BANNER) || !addressPortColon(b, start + BANNER.length, e, out)) return FALLBACK;
      out.kind = 'protocol_error';
      return STATS_EVENT;
    case 85: // U: NOT_ALLOWED_FROM and NOT_ALLOWED start `User `, then `Unable to negotiate with ADDRESS( port N)?: .*$`
      if (!has(b, start, e, NEGOTIATE) || !addressPortColon(b, start + NEGOTIATE.length, e, out)) return FALLBACK;
      out.kind = 'protocol_error';
      return STATS_EVENT;
    case 67: // C
      if (has(b, start, e, CONNECTION_CLOSED_BY)) {
        if (!userThenAddress(b, start + CONNECTION_CLOSED_BY.length, e, out)) return FALLBACK;
      } else if (has(b, start, e, CONNECTION_RESET_BY)) {
        if (!userThenAddress(b, start + CONNECTION_RESET_BY.length, e, out)) return FALLBACK;
      } else return FALLBACK;
      out.kind = 'connection_closed';
      return STATS_EVENT;
    case 82: // R: `Received disconnect from ADDRESS( port N)?: ?\d+: ?.*$`
      if (!has(b, start, e, RECEIVED_DISCONNECT_FROM)) return FALLBACK;
      return receivedDisconnect(b, start + RECEIVED_DISCONNECT_FROM.length, e, out);
    case 80: // P: `PAM \d+ more authentication failures?;.*? rhost=…`
      if (!has(b, start, e, PAM_N)) return FALLBACK;
      {
        let i = start + PAM_N.length;
        const d = i;
        while (i < e && isD(b[i])) i++;
        if (i === d || !has(b, i, e, MORE_FAILURE)) return FALLBACK;
        i += MORE_FAILURE.length;
        if (b[i] === 115) i++; // "s"
        if (i >= e || b[i] !== 59) return FALLBACK; // ";"
        if (!rhost(b, i + 1, e, out)) return FALLBACK;
      }
      out.kind = 'auth_failure';
      return STATS_EVENT;
    case 101: // e: `error: ` → the error patterns, MAX_AUTH first
      if (!has(b, start, e, ERROR)) return FALLBACK;
      {
        const s = start + ERROR.length;
        if (has(b, s, e, MAX_AUTH)) {
          // The optional `invalid user ` holds no ` from `: the first one after `for ` decides (as for Failed).
          if (!addressAfterFirstFrom(b, s + MAX_AUTH.length, e, out, false)) return FALLBACK;
          out.kind = 'max_auth_attempts';
          return STATS_EVENT;
        }
        // No pattern tried before the protocol-error prefixes starts with "kex_".
        if (has(b, s, e, KEX_IDENT)) {
          out.kind = 'protocol_error';
          return STATS_EVENT;
        }
      }
      return FALLBACK;
    case 109: // m: `message repeated (\d+) times: \[ ?(.*)\]$` (MAX_AUTH, tried first, starts "maximum")
      return repeated(b, start, e, out);
  }
  return FALLBACK;
}

function pam(b: Buffer, start: number, e: number, out: ByteStats): number {
  if (has(b, start, e, PAM_AUTH_FAILURE)) {
    if (!rhost(b, start + PAM_AUTH_FAILURE.length, e, out)) return FALLBACK;
    out.kind = 'auth_failure';
    return STATS_EVENT;
  }
  if (has(b, start, e, PAM_CHECK_PASS)) return STATS_IGNORED;
  return session(b, start, e, out);
}

/** `TOK port N: ` and any text to the end (`ADDRESS${PORT}: .*$`, nothing lazy before it). */
function addressPortColon(b: Buffer, tok: number, e: number, out: ByteStats): boolean {
  let i = tok;
  while (i < e && b[i] !== SP) i++;
  const kind = addressToken(b, tok, i);
  if (kind === 0 || !has(b, i, e, PORT)) return false;
  const tokEnd = i;
  i += PORT.length;
  const d = i;
  while (i < e && isD(b[i])) i++;
  if (i === d || b[i] !== 58 || b[i + 1] !== SP || i + 2 > e || !dotSafe(b, i + 2, e)) return false;
  out.addrStart = tok;
  out.addrEnd = tokEnd;
  out.addrLower = kind === 2;
  return true;
}

/**
 * `Disconnecting (authenticating user|invalid user|user) (.*?) ADDRESS( port N)?: (.*)$`, answered
 * only for a one-word user (no space, no colon): the lazy user's first try is then that word, and
 * when `TOK port N: ` follows, the pattern matches there.
 */
function disconnecting(b: Buffer, s: number, e: number, out: ByteStats): number {
  let u: number;
  if (has(b, s, e, KW_AUTHENTICATING)) u = s + KW_AUTHENTICATING.length;
  else if (has(b, s, e, KW_INVALID)) u = s + KW_INVALID.length;
  else if (has(b, s, e, KW_USER)) u = s + KW_USER.length;
  else return FALLBACK;
  let i = u;
  while (i < e && b[i] !== SP && b[i] !== 58) i++;
  if (i === u || i >= e || b[i] !== SP) return FALLBACK;
  if (!addressPortColon(b, i + 1, e, out)) return FALLBACK;
  // m[4], the text after `: `, decides the kind; it starts after the port's `: `.
  let r = out.addrEnd + PORT.length;
  while (isD(b[r])) r++;
  out.kind = find(b, r + 2, e, TOO_MANY) >= 0 ? 'too_many_failures' : 'disconnected';
  return STATS_EVENT;
}

/** `(\S+) for ` then the user and `from` part (Failed: optional `invalid user `, which holds no ` from `). */
function methodFor(b: Buffer, m: number, e: number, out: ByteStats, kind: 'failed' | 'accepted', colonTail: boolean): number {
  let i = m;
  while (i < e && b[i] > SP && b[i] < 127) i++;
  if (i === m || b[i] !== SP || !has(b, i + 1, e, FOR)) return FALLBACK;
  out.methodStart = m;
  out.methodEnd = i;
  if (!addressAfterFirstFrom(b, i + 1 + FOR.length, e, out, colonTail)) return FALLBACK;
  out.kind = kind;
  return STATS_EVENT;
}

function receivedDisconnect(b: Buffer, tok: number, e: number, out: ByteStats): number {
  let i = tok;
  while (i < e && b[i] !== SP) i++;
  const kind = addressToken(b, tok, i);
  if (kind === 0 || !has(b, i, e, PORT)) return FALLBACK;
  const tokEnd = i;
  i += PORT.length;
  let d = i;
  while (i < e && isD(b[i])) i++;
  if (i === d || b[i] !== 58) return FALLBACK;
  i++;
  if (b[i] === SP) i++;
  d = i;
  while (i < e && isD(b[i])) i++;
  if (i === d || b[i] !== 58 || i >= e) return FALLBACK;
  i++;
  if (!dotSafe(b, i, e)) return FALLBACK;
  out.addrStart = tok;
  out.addrEnd = tokEnd;
  out.addrLower = kind === 2;
  out.kind = 'disconnected';
  return STATS_EVENT;
}

/** `pam_unix(sshd:session): session (opened|closed) for user ([^\s(]+)`: the user's first byte decides. */
function session(b: Buffer, start: number, e: number, out: ByteStats): number {
  let u: number;
  if (has(b, start, e, SESSION_OPENED)) {
    out.kind = 'session_opened';
    u = start + SESSION_OPENED.length;
  } else if (has(b, start, e, SESSION_CLOSED)) {
    out.kind = 'session_closed';
    u = start + SESSION_CLOSED.length;
  } else return FALLBACK;
  const c = b[u];
  if (u >= e || c <= SP || c >= 127 || c === 40) return FALLBACK;
  return STATS_EVENT;
}

function repeated(b: Buffer, start: number, e: number, out: ByteStats): number {
  if (!has(b, start, e, REPEATED) || b[e - 1] !== 93) return FALLBACK;
  let i = start + REPEATED.length;
  const d = i;
  let n = 0;
  while (i < e && isD(b[i])) n = n * 10 + b[i++] - 48;
  if (i === d || i - d > 9 || !has(b, i, e, TIMES)) return FALLBACK;
  i += TIMES.length;
  if (b[i] === SP) i++;
  if (i > e - 1 || !dotSafe(b, i, e - 1)) return FALLBACK;
  const r = classifyStatsBytes(b, i, e - 1, out);
  if (r === STATS_EVENT) out.count = n;
  return r;
}

/** The method bytes are `none` (Failed none is no failed attempt). */
export function isNoneMethod(b: Buffer, out: ByteStats): boolean {
  return out.methodEnd - out.methodStart === 4 && has(b, out.methodStart, out.methodEnd, NONE);
}
