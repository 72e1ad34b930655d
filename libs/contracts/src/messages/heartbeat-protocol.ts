import { z } from 'zod';
import { IsoDateTime } from '../common';

/**
 * The heartbeat wire protocol (XMPP payloads, not Kafka): the server publishes a request to a pubsub
 * node; every listener answers with a direct message to `replyTo`. The request also carries the seed's
 * legacy fields (`ptype`, `server`, `node`, `key`) so a seed-era listener can answer it.
 */
export const HEARTBEAT_REQUEST_TYPE = 'watchkeeper.heartbeat.request';
export const HEARTBEAT_RESPONSE_TYPE = 'watchkeeper.heartbeat.response';
/** The seed's ptype for requests. */
export const LEGACY_HEARTBEAT_PTYPE = 'heartbeat';

const Jid = z.string().min(3).max(3071).regex(/^[^@/\s]+@[^@/\s]+(\/.+)?$/, 'must be a JID user@domain[/resource]');
const Token = z.string().min(8).max(128).regex(/^[A-Za-z0-9_-]+$/);

export const HeartbeatRequest = z.object({
  type: z.literal(HEARTBEAT_REQUEST_TYPE),
  v: z.literal(1),
  roundId: Token,
  seq: z.number().int().nonnegative(),
  /** The server's identity (its bare JID). */
  server: Jid,
  node: z.string().min(1).max(1024),
  /** Unguessable per round; an answer must echo it. */
  nonce: Token,
  /** Server clock, for the listener's clock-offset report only. */
  sentAt: IsoDateTime,
  /** Full JID the answer goes to, as a direct message. */
  replyTo: Jid,
  /** 0 for the broadcast, n for the n-th direct re-send to a silent listener within the round. */
  attempt: z.number().int().nonnegative().default(0),
  // Seed compatibility: the same round in the seed's words (key = nonce).
  ptype: z.literal(LEGACY_HEARTBEAT_PTYPE).optional(),
  key: Token.optional(),
});
export type HeartbeatRequest = z.infer<typeof HeartbeatRequest>;

/** What the seed's server published: only these four fields. */
export const LegacyHeartbeatRequest = z.object({
  ptype: z.literal(LEGACY_HEARTBEAT_PTYPE),
  server: z.string().min(1).max(1024),
  node: z.string().min(1).max(1024),
  key: z.string().min(1).max(256),
});
export type LegacyHeartbeatRequest = z.infer<typeof LegacyHeartbeatRequest>;

export const ListenerIdentity = z.object({
  /** Name of the listener (what it is for), e.g. "gracedb-alerts". */
  name: z.string().min(1).max(200).regex(/^[A-Za-z0-9._-]+$/, 'name is letters, digits, ".", "_" or "-"'),
  host: z.string().min(1).max(253),
  user: z.string().min(1).max(200),
  pid: z.number().int().nonnegative(),
  version: z.string().max(100).default('unknown'),
  startedAt: IsoDateTime.optional(),
});
export type ListenerIdentity = z.infer<typeof ListenerIdentity>;

/** How healthy the listener's work path is when it answers. */
export const WorkPathHealth = z.object({
  queueDepth: z.number().int().nonnegative(),
  /** How long the answer waited in the listener's queue before its handler ran it. */
  dispatchDelayMs: z.number().nonnegative(),
});
export type WorkPathHealth = z.infer<typeof WorkPathHealth>;

export const HeartbeatResponse = z.object({
  type: z.literal(HEARTBEAT_RESPONSE_TYPE),
  v: z.literal(1),
  roundId: Token,
  nonce: Token,
  listener: ListenerIdentity,
  health: WorkPathHealth,
  /** Listener clock at answer time; reported (clock offset), never used for verdicts. */
  sentAt: IsoDateTime,
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

/** What a seed-era listener answers: its identity and the echoed key. */
export const LegacyHeartbeatResponse = z.object({
  ptype: z.string().max(100).optional(),
  key: z.string().min(1).max(256),
  hostname: z.string().min(1).max(253),
  user: z.string().min(1).max(200),
  pid: z.coerce.number().int().nonnegative(),
  name: z.string().min(1).max(200),
});
export type LegacyHeartbeatResponse = z.infer<typeof LegacyHeartbeatResponse>;

/** A listener's id as the server keys it and Nagios names it: `name@host`. */
export function listenerIdOf(identity: { name: string; host: string }): string {
  return `${identity.name}@${identity.host}`;
}
