import { z } from 'zod';
import { HostName, IsoDate } from '../common';
import { SshDayStats } from '../messages/ssh-day-stats';

export const SshLoginsHostDayParams = z.object({ host: HostName, date: IsoDate });

export const SshLoginsDayQuery = z.object({ date: IsoDate }).strict();

/** Date range for charts, both ends inclusive; at most 366 days. */
export const SshLoginsRangeQuery = z
  .object({
    from: IsoDate,
    to: IsoDate,
    host: z.union([HostName, z.array(HostName).max(500)]).optional().describe('repeat to select several hosts; all hosts when absent'),
  })
  .strict()
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < 366, { message: 'at most 366 days', path: ['to'] });

/** `stats: null` means the host stored no event that day: "no data", which is not zero. */
export const SshHostDay = z.object({ host: HostName, date: IsoDate, stats: SshDayStats.nullable() });
export type SshHostDay = z.infer<typeof SshHostDay>;

export const SshLoginsDayResponse = z.object({ date: IsoDate, timeZone: z.string(), hosts: z.array(SshHostDay) });
export type SshLoginsDayResponse = z.infer<typeof SshLoginsDayResponse>;

export const SshLoginsRangeResponse = z.object({
  from: IsoDate,
  to: IsoDate,
  timeZone: z.string(),
  dates: z.array(IsoDate),
  hosts: z.array(z.object({ host: HostName, days: z.array(SshHostDay) })),
});
export type SshLoginsRangeResponse = z.infer<typeof SshLoginsRangeResponse>;
