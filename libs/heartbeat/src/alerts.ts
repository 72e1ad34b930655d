import { createHash } from 'node:crypto';
import type { AlertEvent } from '@watchkeeper/contracts';
import type { DetectorOptions, ListenerRecord } from './detector';

export const LISTENER_MISSING = 'heartbeat.listener-missing';
export const MONITOR_BLIND = 'heartbeat.monitor-blind';
const SOURCE = 'watchkeeper/heartbeat-server';

/** Deterministic ids: a re-sent trigger or release is recognised downstream as the same event. */
function eventId(parts: string[]): string {
  return `hb-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40)}`;
}

export function listenerAlert(
  action: 'trigger' | 'release',
  a: { server: string; record: ListenerRecord; roundId: string; at: Date; detector: DetectorOptions },
): AlertEvent {
  const r = a.record;
  const summary =
    action === 'trigger'
      ? `heartbeat listener ${r.id} missing on ${r.node}: no answer in ${a.detector.missingK} of the last ${a.detector.windowN} rounds`
      : `heartbeat listener ${r.id} answering again on ${r.node}`;
  return {
    action,
    id: eventId([a.server, r.node, r.id, action, a.roundId]),
    type: LISTENER_MISSING,
    entity: { kind: 'heartbeat-listener', id: r.id },
    severity: 'critical',
    labels: { node: r.node, server: a.server },
    summary,
    description: r.identity ? `host ${r.identity.host}, user ${r.identity.user}, pid ${r.identity.pid}, version ${r.identity.version}` : undefined,
    source: SOURCE,
    occurredAt: a.at.toISOString(),
  };
}

/** One alert for the whole monitor, never one per listener. */
/** `since` (when the blindness began) ties a trigger to its release and keeps ids unique across restarts. */
export function blindAlert(action: 'trigger' | 'release', a: { server: string; nodes: string[]; reasons: string[]; at: Date; since: Date }): AlertEvent {
  return {
    action,
    id: eventId([a.server, MONITOR_BLIND, action, a.since.toISOString()]),
    type: MONITOR_BLIND,
    entity: { kind: 'heartbeat-server', id: a.server },
    severity: 'critical',
    labels: { server: a.server, nodes: a.nodes.join(',') },
    summary: action === 'trigger' ? `heartbeat monitor ${a.server} is blind (${a.reasons.join(', ')}): listener states unknown` : `heartbeat monitor ${a.server} can see again`,
    source: SOURCE,
    occurredAt: a.at.toISOString(),
  };
}
