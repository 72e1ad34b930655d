import { z } from 'zod';
import { EventId, HostName, IsoDateTime } from '../common';

/** What an sshd line says happened. Unrecognised sshd lines are counted by the parser, not sent. */
export const SshEventKind = z.enum([
  'accepted',
  'failed',
  'invalid_user',
  'connection_closed',
  'disconnected',
  'too_many_failures',
  'max_auth_attempts',
  'protocol_error',
  'session_opened',
  'session_closed',
  /** "Connection from <addr> port <p> …" (LogLevel VERBOSE): the start of a connection. */
  'connection_opened',
  /** Authentication refused outside "Failed <method> …" lines: PAM failures, "User … not allowed", ROOT LOGIN REFUSED. */
  'auth_failure',
  /** Connection dropped before authentication: tcp wrappers "refused connect", PerSourcePenalties "drop connection". */
  'connection_refused',
]);
export type SshEventKind = z.infer<typeof SshEventKind>;

export const SshEvent = z.object({
  /** Deterministic: host + file identity + byte offset, so replays are recognised downstream. */
  id: EventId,
  host: HostName,
  /** UTC instant of the line. */
  time: IsoDateTime,
  /** The time stamp exactly as it stood in the line. */
  timeText: z.string(),
  kind: SshEventKind,
  program: z.string(),
  pid: z.number().int().nonnegative(),
  user: z.string().optional(),
  sourceIp: z.string().optional(),
  /**
   * True when the line itself names no address and sourceIp was taken from an earlier line of the same
   * sshd PID (e.g. "Disconnecting: Too many authentication failures" after "Connection from …").
   * Statistics count only addresses stated in a line, so they do not depend on where reading began.
   */
  sourceInferred: z.boolean().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  /** password, publickey, keyboard-interactive/pam, … */
  method: z.string().optional(),
  /** `message repeated N times` expands to count = N (1 otherwise). */
  count: z.number().int().positive().default(1),
  /** Where the line came from; omitted for journald. */
  origin: z
    .object({ path: z.string(), fileId: z.string(), offset: z.number().int().nonnegative() })
    .optional(),
});
export type SshEvent = z.infer<typeof SshEvent>;
