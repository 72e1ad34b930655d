import { z } from 'zod';
import { HostName, IsoDateTime } from '../common';

/** `DELETE /v1/hosts/{host}`: the host is retired: its tokens revoked, no longer expected nor listed. */
export const HostRetired = z.object({
  host: HostName,
  retiredAt: IsoDateTime,
  tokensRevoked: z.number().int().nonnegative(),
});
export type HostRetired = z.infer<typeof HostRetired>;

export const RetiredHostList = z.object({ hosts: z.array(z.object({ host: HostName, retiredAt: IsoDateTime })) });
export type RetiredHostList = z.infer<typeof RetiredHostList>;
