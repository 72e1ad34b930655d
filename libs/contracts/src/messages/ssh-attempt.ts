import { z } from 'zod';
import { EventId, HostName, IsoDateTime } from '../common';

/**
 * One failed SSH login attempt, re-keyed by source address so that one address's attempts against
 * every host meet on one partition (brute-force detection counts them together). Published by the
 * receiver from the ssh-events it consumes: `failed` with a method other than `none`, and
 * `invalid_user`, for lines that state the address themselves.
 */
export const SshAttempt = z.object({
  /** The id of the sshd event it comes from: the consumer drops redeliveries by it. */
  id: EventId,
  /** As the parser normalised it (IPv4-mapped IPv6 as IPv4, IPv6 in lower case); a name with UseDNS. */
  sourceIp: z.string().min(1).max(253),
  host: HostName,
  /** Event time: the UTC instant of the sshd line. */
  time: IsoDateTime,
  kind: z.enum(['failed', 'invalid_user']),
  user: z.string().max(512).optional(),
  /** `message repeated N times` → N attempts. */
  count: z.number().int().positive().default(1),
});
export type SshAttempt = z.infer<typeof SshAttempt>;
