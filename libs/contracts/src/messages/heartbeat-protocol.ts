import { z } from 'zod';
import { IsoDateTime } from '../common';

/**
 * The heartbeat wire protocol (XMPP payloads, not Kafka): the server publishes a request to a pubsub
 * node as JSON text in the item's `entry` element (as LVAlert did); every native listener answers with
 * a direct message to `replyTo`. The request is also a valid lvalertHeartbeat packet (`ptype`
 * "request", `server` = the XMPP domain, `node`, `key` = the nonce), so a seed-era listener answers it
 * unchanged: by publishing, to the same node, the same packet with `ptype` "response" and `hostname`,
 * `user`, `pid`, `name` added.
 */
export const HEARTBEAT_REQUEST_TYPE = 'watchkeeper.heartbeat.request';
export const HEARTBEAT_RESPONSE_TYPE = 'watchkeeper.heartbeat.response';
/** lvalertHeartbeat's ptype of a request. */
export const LEGACY_HEARTBEAT_PTYPE = 'request';
/** lvalertHeartbeat's ptype of an answer: a packet with it is never a request, whatever else it holds. */
export const LEGACY_RESPONSE_PTYPE = 'response';
/** What Watchkeeper servers before the seed-compatible packet sent as ptype (still accepted by listeners). */
export const OLD_WATCHKEEPER_PTYPE = 'heartbeat';
/** A listener id (`name@host`) is at most this long: it keys records and Kafka statuses. */
export const MAX_LISTENER_ID_LENGTH = 300;

const Jid = z.string().min(3).max(3071).regex(/^[^@/\s]+@[^@/\s]+(\/.+)?$/, 'must be a JID user@domain[/resource]');
const Token = z.string().min(8).max(128).regex(/^[A-Za-z0-9_-]+$/);

export const HeartbeatRequest = z.object({
  type: z.literal(HEARTBEAT_REQUEST_TYPE),
  v: z.literal(1),
  roundId: Token,
  seq: z.number().int().nonnegative(),
  /**
   * The XMPP domain (a seed-era listener logs in there and publishes to pubsub.<server>). Servers
   * before the seed-compatible packet sent their bare JID here: both are accepted.
   */
  server: z.string().min(1).max(3071),
  node: z.string().min(1).max(1024),
  /** Unguessable per round; an answer must echo it. */
  nonce: Token,
  /** Server clock, for the listener's clock-offset report only. */
  sentAt: IsoDateTime,
  /** Full JID the answer goes to, as a direct message. */
  replyTo: Jid,
  /** 0 for the broadcast, n for the n-th direct re-send to a silent listener within the round. */
  attempt: z.number().int().nonnegative().default(0),
  // Seed compatibility: the same round in lvalertHeartbeat's words (key = nonce). Always sent; optional
  // and the old ptype accepted so listeners also answer servers of the previous version.
  ptype: z.enum([LEGACY_HEARTBEAT_PTYPE, OLD_WATCHKEEPER_PTYPE]).optional(),
  key: Token.optional(),
});
export type HeartbeatRequest = z.infer<typeof HeartbeatRequest>;

/** What lvalertHeartbeat's own server published: only these four fields. */
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

/**
 * What a seed-era (lvalertHeartbeat) listener publishes to the node: the request packet it got with
 * `ptype` "response" and its identity added (fields of the request it copied, e.g. Watchkeeper's own,
 * may be present and are ignored). Watchkeeper's responder answers a seed-only request the same way.
 */
export const LegacyHeartbeatResponse = z.object({
  ptype: z.literal(LEGACY_RESPONSE_PTYPE),
  server: z.string().min(1).max(3071).optional(),
  node: z.string().min(1).max(1024).optional(),
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
