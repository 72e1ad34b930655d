import { randomBytes } from 'node:crypto';
import {
  HEARTBEAT_REQUEST_TYPE,
  HEARTBEAT_RESPONSE_TYPE,
  HeartbeatRequest,
  HeartbeatResponse,
  LEGACY_HEARTBEAT_PTYPE,
  LEGACY_RESPONSE_PTYPE,
  LegacyHeartbeatRequest,
  LegacyHeartbeatResponse,
  listenerIdOf,
  MAX_LISTENER_ID_LENGTH,
  OLD_WATCHKEEPER_PTYPE,
  type ListenerIdentity,
  type WorkPathHealth,
} from '@watchkeeper/contracts';

/** 128 random bits, URL-safe: an answer that does not echo it is not an answer to this round. */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

/** `server` is the XMPP domain: a seed-era listener logs in there and publishes to pubsub.<server>. */
export function buildRequest(r: { roundId: string; seq: number; server: string; node: string; nonce: string; sentAt: Date; replyTo: string; attempt?: number }): HeartbeatRequest {
  return HeartbeatRequest.parse({
    type: HEARTBEAT_REQUEST_TYPE,
    v: 1,
    roundId: r.roundId,
    seq: r.seq,
    server: r.server,
    node: r.node,
    nonce: r.nonce,
    sentAt: r.sentAt.toISOString(),
    replyTo: r.replyTo,
    attempt: r.attempt ?? 0,
    ptype: LEGACY_HEARTBEAT_PTYPE,
    key: r.nonce,
  });
}

/** A request as a listener understands it, whichever encoding it came in. */
export interface DecodedRequest {
  legacy: boolean;
  node: string;
  nonce: string;
  /** The request's `server` (the XMPP domain; a bare JID from older Watchkeeper servers). */
  server: string;
  roundId: string | null;
  /** Where to answer; null for a seed request (the seed's server named a host, not a JID). */
  replyTo: string | null;
  sentAt: string | null;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

function issues(err: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return err.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

function asObject(json: unknown): Record<string, unknown> | null {
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
}

export function decodeRequest(json: unknown): Decoded<DecodedRequest> {
  const obj = asObject(json);
  if (!obj) return { ok: false, error: 'not a JSON object' };
  // A seed-era listener's answer is our whole request copied with ptype "response": never a request.
  if (obj.ptype === LEGACY_RESPONSE_PTYPE) return { ok: false, error: 'a seed-era answer (ptype response), not a request' };
  if (obj.type === HEARTBEAT_REQUEST_TYPE) {
    const r = HeartbeatRequest.safeParse(obj);
    if (!r.success) return { ok: false, error: `invalid heartbeat request: ${issues(r.error)}` };
    const q = r.data;
    return { ok: true, value: { legacy: false, node: q.node, nonce: q.nonce, server: q.server, roundId: q.roundId, replyTo: q.replyTo, sentAt: q.sentAt } };
  }
  if (obj.ptype === LEGACY_HEARTBEAT_PTYPE || obj.ptype === OLD_WATCHKEEPER_PTYPE) {
    const r = LegacyHeartbeatRequest.safeParse({ ...obj, ptype: LEGACY_HEARTBEAT_PTYPE });
    if (!r.success) return { ok: false, error: `invalid legacy heartbeat request: ${issues(r.error)}` };
    return { ok: true, value: { legacy: true, node: r.data.node, nonce: r.data.key, server: r.data.server, roundId: null, replyTo: null, sentAt: null } };
  }
  return { ok: false, error: 'not a heartbeat request (no type or ptype)' };
}

export function buildResponse(r: { request: DecodedRequest; listener: ListenerIdentity; health: WorkPathHealth; now: Date }): HeartbeatResponse | LegacyHeartbeatResponse {
  if (r.request.legacy || r.request.roundId === null) {
    // As lvalertHeartbeat's own listeners answer: the request packet, ptype "response", identity added.
    return LegacyHeartbeatResponse.parse({
      ptype: LEGACY_RESPONSE_PTYPE,
      server: r.request.server,
      node: r.request.node,
      key: r.request.nonce,
      hostname: r.listener.host,
      user: r.listener.user,
      pid: r.listener.pid,
      name: r.listener.name,
    });
  }
  return HeartbeatResponse.parse({
    type: HEARTBEAT_RESPONSE_TYPE,
    v: 1,
    roundId: r.request.roundId,
    nonce: r.request.nonce,
    listener: r.listener,
    health: r.health,
    sentAt: r.now.toISOString(),
  });
}

/** An answer as the server understands it, whichever encoding it came in. */
export interface DecodedAnswer {
  legacy: boolean;
  nonce: string;
  roundId: string | null;
  listenerId: string;
  listener: ListenerIdentity;
  health: WorkPathHealth | null;
  /** Listener clock (new encoding only): reported as clock offset, never trusted. */
  sentAt: string | null;
}

export function decodeAnswer(json: unknown): Decoded<DecodedAnswer> {
  const obj = asObject(json);
  if (!obj) return { ok: false, error: 'not a JSON object' };
  const answer = decodeAnyAnswer(obj);
  if (answer.ok && answer.value.listenerId.length > MAX_LISTENER_ID_LENGTH) {
    return { ok: false, error: `listener id longer than ${MAX_LISTENER_ID_LENGTH} characters` };
  }
  return answer;
}

function decodeAnyAnswer(obj: Record<string, unknown>): Decoded<DecodedAnswer> {
  if (obj.type === HEARTBEAT_RESPONSE_TYPE) {
    const r = HeartbeatResponse.safeParse(obj);
    if (!r.success) return { ok: false, error: `invalid heartbeat response: ${issues(r.error)}` };
    const a = r.data;
    return {
      ok: true,
      value: { legacy: false, nonce: a.nonce, roundId: a.roundId, listenerId: listenerIdOf(a.listener), listener: a.listener, health: a.health, sentAt: a.sentAt },
    };
  }
  // The seed's answer: matched by `key` alone (it copies the rest of our request, roundId included).
  if (obj.ptype === LEGACY_RESPONSE_PTYPE) {
    const r = LegacyHeartbeatResponse.safeParse(obj);
    if (!r.success) return { ok: false, error: `invalid legacy heartbeat response: ${issues(r.error)}` };
    const a = r.data;
    const listener: ListenerIdentity = { name: a.name, host: a.hostname, user: a.user, pid: a.pid, version: 'legacy' };
    return { ok: true, value: { legacy: true, nonce: a.key, roundId: null, listenerId: listenerIdOf(listener), listener, health: null, sentAt: null } };
  }
  return { ok: false, error: 'not a heartbeat response' };
}

/** True for a packet that is a heartbeat request (ours echoed back, or the seed's), not an answer. */
export function isRequestPacket(json: unknown): boolean {
  const obj = asObject(json);
  if (!obj || obj.ptype === LEGACY_RESPONSE_PTYPE) return false;
  return obj.type === HEARTBEAT_REQUEST_TYPE || obj.ptype === LEGACY_HEARTBEAT_PTYPE || obj.ptype === OLD_WATCHKEEPER_PTYPE;
}

/** Parses text that should hold JSON; a clear error instead of a throw. */
export function parseJson(text: string): Decoded<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
}
