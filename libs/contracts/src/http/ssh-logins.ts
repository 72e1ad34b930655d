import { z } from 'zod';
import { HostName, IsoDate, IsoDateTime } from '../common';
import { withCrossFieldRules, type CrossFieldRule } from '../cross-field';
import { SshDayStats } from '../messages/ssh-day-stats';

/** from ≤ to, at most 366 days (both ends inclusive). */
const dateRangeRules: CrossFieldRule[] = [
  { rule: 'order', lower: 'from', upper: 'to', strict: false, message: 'from must not be after to' },
  { rule: 'maxSpanDays', from: 'from', to: 'to', days: 366, message: 'at most 366 days' },
];

export const SshLoginsHostDayParams = z.object({ host: HostName, date: IsoDate });

export const SshLoginsDayQuery = z.object({ date: IsoDate }).strict();

/** Date range for charts, both ends inclusive; at most 366 days. */
export const SshLoginsRangeQuery = withCrossFieldRules(
  z
  .object({
    from: IsoDate,
    to: IsoDate,
    host: z.union([HostName, z.array(HostName).max(500)]).optional().describe('repeat to select several hosts; all hosts when absent'),
  })
  .strict(),
  dateRangeRules,
);

/** `stats: null` means the host stored no event that day: "no data", which is not zero. */
export const SshHostDay = z.object({ host: HostName, date: IsoDate, stats: SshDayStats.nullable() });
export type SshHostDay = z.infer<typeof SshHostDay>;

/**
 * One known host on one date. Every host the receiver knows (a token issued, or SSH events ever
 * received) is listed, with `stats: null` when it sent nothing that day — a silent host shows.
 */
export const SshHostDayEntry = SshHostDay.extend({
  lastSeenAt: IsoDateTime.nullable().describe('the latest of its newest SSH event and its last request to the receiver; null: never heard from'),
});
export type SshHostDayEntry = z.infer<typeof SshHostDayEntry>;

export const SshLoginsDayResponse = z.object({ date: IsoDate, timeZone: z.string(), hosts: z.array(SshHostDayEntry) });
export type SshLoginsDayResponse = z.infer<typeof SshLoginsDayResponse>;

export const SshLoginsRangeResponse = z.object({
  from: IsoDate,
  to: IsoDate,
  timeZone: z.string(),
  dates: z.array(IsoDate),
  hosts: z.array(z.object({ host: HostName, days: z.array(SshHostDay) })),
});
export type SshLoginsRangeResponse = z.infer<typeof SshLoginsRangeResponse>;

/** Top client addresses over a date range (both ends inclusive, at most 366 days), optionally per host. */
export const SshSourcesQuery = withCrossFieldRules(
  z
  .object({
    from: IsoDate,
    to: IsoDate,
    host: z.union([HostName, z.array(HostName).max(500)]).optional().describe('repeat to select several hosts; all hosts when absent'),
    limit: z.coerce.number().int().min(1).max(1000).default(20).describe('how many addresses, most attempts first (default 20)'),
  })
  .strict(),
  dateRangeRules,
);
export type SshSourcesQuery = z.infer<typeof SshSourcesQuery>;

/** One client address: its login attempts, counted like the day statistics (by stored event, once each). */
export const SshSource = z.object({
  sourceIp: z.string(),
  /** failed + accepted + invalidUser: the order of the list. */
  attempts: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  invalidUser: z.number().int().nonnegative(),
  /** Hosts this address tried, sorted. */
  hosts: z.array(HostName),
});
export type SshSource = z.infer<typeof SshSource>;

export const SshSourcesResponse = z.object({
  from: IsoDate,
  to: IsoDate,
  timeZone: z.string(),
  /** The hosts asked for, or null for all hosts. */
  hosts: z.array(HostName).nullable(),
  /** Addresses with at least one attempt in the range (the list may be cut at `limit`). */
  totalSources: z.number().int().nonnegative(),
  sources: z.array(SshSource),
});
export type SshSourcesResponse = z.infer<typeof SshSourcesResponse>;
