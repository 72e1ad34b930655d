import { z } from 'zod';
import { MAX_LISTENER_ID_LENGTH } from '../messages/heartbeat-protocol';

/**
 * The heartbeat-server's per-node configuration (HEARTBEAT_NODE_CONFIG / HEARTBEAT_NODE_CONFIG_FILE),
 * as lvalertHeartbeat's config.ini had one section per node: `{"<node>": {...}}`. Anything a node
 * leaves out takes the single-node defaults (HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_MS…).
 */

/** Who may publish to a node (XEP-0060 pubsub#publish_model). Seed-era listeners publish their answers. */
export const PublishModel = z.enum(['publishers', 'subscribers', 'open']);
export type PublishModel = z.infer<typeof PublishModel>;

export const HeartbeatNodeName = z.string().min(1).max(1024).regex(/^[^:,\s]+$/, 'node names have no ":", "," or spaces');

const Ms = z.number().int().positive();

export const HeartbeatNodeSettings = z
  .object({
    intervalMs: Ms.optional(),
    timeoutMs: Ms.optional(),
    /** Re-ask silent native listeners this often within a round; 0 = off. */
    retryMs: z.number().int().nonnegative().optional(),
    /** Answers slower than this are "late". */
    lateMs: Ms.optional(),
    /** Expected listeners, name@host. */
    expected: z
      .array(z.string().max(MAX_LISTENER_ID_LENGTH).regex(/^[^@\s]+@[^@\s]+$/, 'a listener is name@host'))
      .default([]),
    /** Set on the node when the server creates or finds it; `open` (or `subscribers`) lets seed-era listeners answer. */
    publishModel: PublishModel.optional(),
    /** The XMPP domain (the seed's per-node `server`); must be the heartbeat-server's own. */
    server: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => s.intervalMs === undefined || s.timeoutMs === undefined || s.timeoutMs < s.intervalMs, {
    message: 'timeoutMs must be shorter than intervalMs',
    path: ['timeoutMs'],
  });
export type HeartbeatNodeSettings = z.infer<typeof HeartbeatNodeSettings>;

export const HeartbeatNodeConfig = z.record(HeartbeatNodeName, HeartbeatNodeSettings);
export type HeartbeatNodeConfig = z.infer<typeof HeartbeatNodeConfig>;
