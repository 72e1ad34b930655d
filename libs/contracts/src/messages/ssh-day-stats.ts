import { z } from 'zod';
import { HostName, IsoDate } from '../common';

/**
 * SSH statistics of one host on one day. Computed the same way by the one-shot `count` CLI and by the
 * receiver from stored events (libs/ssh-stats), so the two can be compared exactly.
 */
export const SshDayStats = z.object({
  host: HostName,
  date: IsoDate,
  /** Distinct sshd PIDs, each counted on the day of its first line; a PID back after 24 h of silence is a new session. */
  sessions: z.number().int().nonnegative(),
  /** Accepted … lines (logins). */
  accepted: z.number().int().nonnegative(),
  /** Failed authentication attempts (method `none` excluded, repeats expanded). */
  failed: z.number().int().nonnegative(),
  /** "Invalid user …" lines. */
  invalidUser: z.number().int().nonnegative(),
  /** Distinct client addresses. */
  sources: z.number().int().nonnegative(),
});
export type SshDayStats = z.infer<typeof SshDayStats>;
