import { z } from 'zod';
import { IsoDateTime } from '../common';
import { ListenerState } from '../messages/heartbeat-status';

/** One listener as the heartbeat-server's status API reports it (GET /v1/listeners). */
export const ListenerView = z.object({
  id: z.string(),
  node: z.string(),
  state: ListenerState,
  expected: z.boolean(),
  lastSeenAt: IsoDateTime.nullable(),
  rttMs: z.number().nonnegative().nullable(),
  /** Most recent round-trip times, oldest first (null = no answer that round). */
  latencyHistoryMs: z.array(z.number().nonnegative().nullable()),
  consecutiveMisses: z.number().int().nonnegative(),
  host: z.string().nullable(),
  /** The account the listener runs as (seed-era listeners report it; the id is name@host without it). */
  user: z.string().nullable(),
  /** How it answered last: `native` (direct message) or `seed` (lvalertHeartbeat packet published to the node). */
  protocol: z.enum(['native', 'seed']).nullable(),
  pid: z.number().int().nullable(),
  version: z.string().nullable(),
  clockOffsetMs: z.number().nullable(),
  queueDepth: z.number().int().nullable(),
  dispatchDelayMs: z.number().nullable(),
});
export type ListenerView = z.infer<typeof ListenerView>;

export const ListenersResponse = z.object({
  server: z.string(),
  generatedAt: IsoDateTime,
  /** The default node timing; a node may have its own (see nodes[]). */
  intervalMs: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  /** Why the monitor cannot see (own XMPP session down, broker down); empty when it can. */
  blind: z.array(z.string()),
  /** True during the start-up (or after-blindness) grace window: no missing verdicts yet. */
  inGrace: z.boolean(),
  nodes: z.array(
    z.object({
      node: z.string(),
      /** This node's own round interval and answer timeout. */
      intervalMs: z.number().int().positive(),
      timeoutMs: z.number().int().positive(),
      lastRound: z
        .object({ roundId: z.string(), seq: z.number().int(), startedAt: IsoDateTime, durationMs: z.number().nullable(), complete: z.boolean() })
        .nullable(),
    }),
  ),
  listeners: z.array(ListenerView),
});
export type ListenersResponse = z.infer<typeof ListenersResponse>;
