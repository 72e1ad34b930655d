import type { SshEventKind } from '@watchkeeper/contracts';
import { ADDRESS, normalizeAddress } from './address';

/** What one sshd message says, before host, time and PID are added. */
export interface MessageFacts {
  kind: SshEventKind;
  user?: string;
  sourceIp?: string;
  port?: number;
  method?: string;
  /** `message repeated N times: [ … ]` → N. */
  count: number;
}

/** A recognised message that reports nothing (daemon start, debug, duplicates of other lines). */
export const IGNORED = 'ignored' as const;
export type MessageResult = MessageFacts | typeof IGNORED | undefined;

const A = ADDRESS;
const PORT = '(?: port (\\d+))?';
const re = (s: string) => new RegExp(s);

const ACCEPTED = re(`^Accepted (\\S+) for (.*?) from ${A} port (\\d+)(?: ssh\\d?)?(?:: .*)?$`);
// Lazy user + anchored tail: "for invalid user x from 10.0.0.1 port 1 ssh2 from 127.0.0.1 port 2 ssh2"
// yields 127.0.0.1 (the user name was chosen to look like an address), as does a trailing ": from …".
const FAILED = re(`^Failed (\\S+) for (?:invalid user )?(.*?) from ${A}${PORT}(?: ssh\\d?)?(?:: .*)?$`);
const INVALID_USER = re(`^Invalid user (.*?) from ${A}${PORT}$`);
// Lazy user names: "authenticating user test 127.0.0.1 port 1 192.0.2.11 port 2" → the last address.
const CLOSED = re(`^Connection (?:closed|reset) by (?:(?:authenticating user|invalid user|user) (.*?) )?${A}${PORT}$`);
const CONNECTION_FROM = re(`^Connection from ${A}${PORT}(?: on \\S+ port \\d+)?(?: rdomain .*)?$`);
const RECEIVED_DISCONNECT = re(`^Received disconnect from ${A}${PORT}: ?\\d+: ?.*$`);
const DISCONNECTED = re(`^Disconnected from (?:(?:authenticating user|invalid user|user) (.*?) )?${A}${PORT}$`);
const DISCONNECTING_USER = re(`^Disconnecting (?:authenticating user|invalid user|user) (.*?) ${A}${PORT}: (.*)$`);
const DISCONNECTING = /^Disconnecting: (.*?)(?: for (?:invalid user )?(.+))?$/;
const MAX_AUTH = re(`^maximum authentication attempts exceeded for (?:invalid user )?(.*?) from ${A}${PORT}(?: ssh\\d?)?$`);
const PAM_ERROR = re(`^PAM: .*? for (?:illegal user )?(.*?) from ${A}(?: via \\S+)?$`);
const PAM_UNIX_AUTH = /^pam_unix\(sshd:auth\): authentication failure;.*? rhost=(\S*)(?:\s+user=(\S+))?/;
const PAM_MORE = /^PAM \d+ more authentication failures?;.*? rhost=(\S*)(?:\s+user=(\S+))?/;
const SESSION = /^pam_unix\(sshd:session\): session (opened|closed) for user ([^\s(]+)/;
const NOT_ALLOWED_FROM = re(`^User (.*?) from ${A} not allowed because .*$`);
const NOT_ALLOWED = /^User (.*?) not allowed because .*$/;
const ROOT_REFUSED = re(`^ROOT LOGIN REFUSED FROM ${A}${PORT}$`);
const REFUSED_CONNECT = re(`^refused connect from .*\\(${A}\\)$`);
const DROP_CONNECTION = re(`^drop connection #\\d+ from \\[${A}\\]:(\\d+) on .*$`);
const NO_IDENT = re(`^Did not receive identification string from ${A}${PORT}$`);
const BAD_VERSION = re(`^Bad protocol version identification .* from ${A}${PORT}$`);
const BANNER = re(`^banner exchange: Connection from ${A}${PORT}: .*$`);
const NEGOTIATE_WITH = re(`^Unable to negotiate with ${A}${PORT}: .*$`);
const DISPATCH_FATAL = re(`^ssh_dispatch_run_fatal: Connection from (?:(?:authenticating user|invalid user|user) (.*?) )?${A}${PORT}: .*$`);
const TIMEOUT = re(`^Timeout before authentication for (?:connection from )?${A}(?: port (\\d+)| to .*)?$`);
const READ_ERROR = re(`^Read error from remote host ${A}${PORT}: .*$`);
const LTYPE_VERSION = re(`^SSH: Server;Ltype: Version;Remote: ${A}-(\\d+);`);
const REPEATED = /^message repeated (\d+) times: \[ ?(.*)\]$/;

/** Recognised lines that report nothing; every one is counted as "ignored", never dropped silently. */
const IGNORED_PREFIXES = [
  'Server listening on ',
  'Received signal ',
  'Received SIGHUP',
  'Exiting on signal',
  'Postponed ',
  'input_userauth_request: ',
  'Address ', // "… maps to …, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT"
  'reverse mapping checking ',
  'Starting session: ',
  'Close session: ',
  'User child is on pid ',
  'Transferred: ',
  'debug',
  'Accepted key ',
  'Authorized to ',
  'Changed root directory',
  'subsystem request',
  'Set /proc/self/oom_score_adj',
  'PAM service(',
  'pam_',
  'SSH: Server;Ltype: ',
  'srclimit_penalise: ',
  'Server will not fork',
  'Could not load host key',
  'Bind to port ',
  'Cannot bind any address',
  'beginning MaxStartups throttling',
  'exited MaxStartups throttling',
];

const PROTOCOL_ERRORS = [
  'kex_exchange_identification: ',
  'kex_protocol_error',
  'Protocol major versions differ',
  'Unable to negotiate a key exchange method',
  'no matching ',
  'Bad packet length',
  'Corrupted MAC',
  'Connection closed by remote host',
  'ssh_dispatch_run_fatal',
];

function facts(kind: SshEventKind, f: Partial<MessageFacts> = {}): MessageFacts {
  const out: MessageFacts = { kind, count: 1 };
  if (f.user !== undefined) out.user = f.user;
  if (f.sourceIp) out.sourceIp = normalizeAddress(f.sourceIp);
  if (f.port !== undefined && !Number.isNaN(f.port)) out.port = f.port;
  if (f.method) out.method = f.method;
  return out;
}

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));

/**
 * Classifies the text of one sshd message (after `sshd[pid]: `). Returns the facts of an event,
 * IGNORED for a recognised message that reports nothing, or undefined for one it does not know.
 */
export function classifySshdMessage(text: string): MessageResult {
  let msg = text;
  if (msg.endsWith(' [preauth]')) msg = msg.slice(0, -10);
  else if (msg.endsWith(' [net]')) msg = msg.slice(0, -6);
  msg = msg.trimEnd();
  // Solaris message ids and journald's kernel-prefixed copies: "[ID 800047 auth.info] …", "kernel:[ 970.6]: …".
  if (msg.startsWith('[ID ')) msg = msg.replace(/^\[ID \d+ [\w.]+\] /, '');
  else if (msg.startsWith('kernel:')) msg = msg.replace(/^kernel: ?\[\s*\d+\.\d+\]:? ?/, '');

  let m: RegExpExecArray | null;
  switch (msg.charCodeAt(0)) {
    case 65: // A
      if ((m = ACCEPTED.exec(msg))) return facts('accepted', { method: m[1], user: m[2], sourceIp: m[3], port: num(m[4]) });
      break;
    case 70: // F
      if ((m = FAILED.exec(msg))) return facts('failed', { method: m[1], user: m[2], sourceIp: m[3], port: num(m[4]) });
      break;
    case 73: // I
      if ((m = INVALID_USER.exec(msg))) return facts('invalid_user', { user: m[1], sourceIp: m[2], port: num(m[3]) });
      break;
    case 67: // C
      if ((m = CLOSED.exec(msg))) return facts('connection_closed', { user: m[1], sourceIp: m[2], port: num(m[3]) });
      if ((m = CONNECTION_FROM.exec(msg))) return facts('connection_opened', { sourceIp: m[1], port: num(m[2]) });
      break;
    case 82: // R
      if ((m = RECEIVED_DISCONNECT.exec(msg))) return facts('disconnected', { sourceIp: m[1], port: num(m[2]) });
      if ((m = ROOT_REFUSED.exec(msg))) return facts('auth_failure', { user: 'root', sourceIp: m[1], port: num(m[2]) });
      if ((m = READ_ERROR.exec(msg))) return facts('connection_closed', { sourceIp: m[1], port: num(m[2]) });
      if (msg.startsWith('Read from socket failed: ')) return facts('connection_closed');
      break;
    case 68: // D
      if ((m = DISCONNECTED.exec(msg))) return facts('disconnected', { user: m[1], sourceIp: m[2], port: num(m[3]) });
      if ((m = DISCONNECTING_USER.exec(msg))) {
        const kind = /Too many authentication failures/.test(m[4]) ? 'too_many_failures' : 'disconnected';
        return facts(kind, { user: m[1], sourceIp: m[2], port: num(m[3]) });
      }
      if ((m = DISCONNECTING.exec(msg))) {
        const kind = m[1].startsWith('Too many authentication failures') ? 'too_many_failures' : 'disconnected';
        return facts(kind, { user: m[2] });
      }
      if ((m = NO_IDENT.exec(msg))) return facts('protocol_error', { sourceIp: m[1], port: num(m[2]) });
      break;
    case 109: // m
      if ((m = MAX_AUTH.exec(msg))) return facts('max_auth_attempts', { user: m[1], sourceIp: m[2], port: num(m[3]) });
      if ((m = REPEATED.exec(msg))) {
        const inner = classifySshdMessage(m[2]);
        if (inner && inner !== IGNORED) inner.count = Number(m[1]);
        return inner;
      }
      break;
    case 101: // e
      if (msg.startsWith('error: ')) return classifyError(msg.slice(7));
      break;
    case 102: // f
      if (msg.startsWith('fatal: ')) return classifyError(msg.slice(7));
      break;
    case 112: // p
      if ((m = SESSION.exec(msg))) return facts(m[1] === 'opened' ? 'session_opened' : 'session_closed', { user: m[2] });
      if ((m = PAM_UNIX_AUTH.exec(msg))) return facts('auth_failure', { sourceIp: m[1] || undefined, user: m[2] });
      break;
    case 80: // P
      if ((m = PAM_MORE.exec(msg))) return facts('auth_failure', { sourceIp: m[1] || undefined, user: m[2] });
      break;
    case 85: // U
      if ((m = NOT_ALLOWED_FROM.exec(msg))) return facts('auth_failure', { user: m[1], sourceIp: m[2] });
      if ((m = NOT_ALLOWED.exec(msg))) return facts('auth_failure', { user: m[1] });
      if ((m = NEGOTIATE_WITH.exec(msg))) return facts('protocol_error', { sourceIp: m[1], port: num(m[2]) });
      break;
    case 114: // r
      if ((m = REFUSED_CONNECT.exec(msg))) return facts('connection_refused', { sourceIp: m[1] });
      break;
    case 100: // d
      if ((m = DROP_CONNECTION.exec(msg))) return facts('connection_refused', { sourceIp: m[1], port: num(m[2]) });
      break;
    case 66: // B
      if ((m = BAD_VERSION.exec(msg))) return facts('protocol_error', { sourceIp: m[1], port: num(m[2]) });
      break;
    case 98: // b
      if ((m = BANNER.exec(msg))) return facts('protocol_error', { sourceIp: m[1], port: num(m[2]) });
      break;
    case 84: // T
      if ((m = TIMEOUT.exec(msg))) return facts('protocol_error', { sourceIp: m[1], port: num(m[2]) });
      if (msg.startsWith('Timeout, client not responding')) return facts('disconnected');
      break;
    case 83: // S
      if ((m = LTYPE_VERSION.exec(msg))) return facts('connection_opened', { sourceIp: m[1], port: num(m[2]) });
      break;
    case 115: // s
      if ((m = DISPATCH_FATAL.exec(msg))) return facts('protocol_error', { user: m[1], sourceIp: m[2], port: num(m[3]) });
      break;
  }
  for (const p of IGNORED_PREFIXES) if (msg.startsWith(p)) return IGNORED;
  return undefined;
}

/** The text after `error: ` or `fatal: `. */
function classifyError(msg: string): MessageResult {
  let m: RegExpExecArray | null;
  if ((m = MAX_AUTH.exec(msg))) return facts('max_auth_attempts', { user: m[1], sourceIp: m[2], port: num(m[3]) });
  if ((m = PAM_ERROR.exec(msg))) return facts('auth_failure', { user: m[1], sourceIp: m[2] });
  if ((m = RECEIVED_DISCONNECT.exec(msg))) return facts('disconnected', { sourceIp: m[1], port: num(m[2]) });
  if ((m = NEGOTIATE_WITH.exec(msg))) return facts('protocol_error', { sourceIp: m[1], port: num(m[2]) });
  if ((m = DISPATCH_FATAL.exec(msg))) return facts('protocol_error', { user: m[1], sourceIp: m[2], port: num(m[3]) });
  if ((m = READ_ERROR.exec(msg))) return facts('connection_closed', { sourceIp: m[1], port: num(m[2]) });
  if (msg.startsWith('Read from socket failed: ') || msg.startsWith('Connection reset by peer')) return facts('connection_closed');
  for (const p of PROTOCOL_ERRORS) if (msg.startsWith(p)) return facts('protocol_error');
  if (msg.startsWith('PAM: ')) return facts('auth_failure');
  return classifySshdMessage(msg);
}
