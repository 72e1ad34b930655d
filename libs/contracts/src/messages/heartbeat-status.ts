import { z } from 'zod';
import { HostName, IsoDateTime } from '../common';

export const ListenerState = z.enum(['ok', 'late', 'missing', 'extra', 'new', 'unknown']);
export type ListenerState = z.infer<typeof ListenerState>;

/** One listener's verdict after one heartbeat round. */
export const HeartbeatStatus = z.object({
  listenerId: z.string().min(1).max(300),
  node: z.string().min(1),
  state: ListenerState,
  roundId: z.string().min(1),
  seq: z.number().int().nonnegative(),
  server: z.string().min(1),
  observedAt: IsoDateTime,
  lastSeenAt: IsoDateTime.nullable(),
  rttMs: z.number().nonnegative().nullable(),
  consecutiveMisses: z.number().int().nonnegative(),
  host: HostName.optional(),
  /** Listener clock minus server clock, ms; reported only, never used for verdicts. */
  clockOffsetMs: z.number().nullable().optional(),
});
export type HeartbeatStatus = z.infer<typeof HeartbeatStatus>;
