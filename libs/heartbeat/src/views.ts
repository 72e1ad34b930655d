import type { ListenersResponse, ListenerView } from '@watchkeeper/contracts';
import type { Detector, ListenerRecord } from './detector';
import type { HeartbeatRunner } from './runner';

export function listenerView(r: ListenerRecord): ListenerView {
  return {
    id: r.id,
    node: r.node,
    state: r.state,
    expected: r.expected,
    lastSeenAt: r.lastSeenAtMs === null ? null : new Date(r.lastSeenAtMs).toISOString(),
    rttMs: r.rttMs === null ? null : Math.round(r.rttMs * 10) / 10,
    latencyHistoryMs: r.history.map((v) => (v === null ? null : Math.round(v * 10) / 10)),
    consecutiveMisses: r.consecutiveMisses,
    host: r.identity?.host ?? null,
    user: r.identity?.user ?? null,
    protocol: r.identity ? (r.identity.version === 'legacy' ? 'seed' : 'native') : null,
    pid: r.identity?.pid ?? null,
    version: r.identity?.version ?? null,
    clockOffsetMs: r.clockOffsetMs === null ? null : Math.round(r.clockOffsetMs),
    queueDepth: r.health?.queueDepth ?? null,
    dispatchDelayMs: r.health ? Math.round(r.health.dispatchDelayMs * 10) / 10 : null,
  };
}

/** The status API's body (GET /v1/listeners), optionally narrowed to one node or listener. */
export function listenersResponse(
  runner: HeartbeatRunner,
  detector: Detector,
  now: Date,
  filter: { node?: string; listener?: string } = {},
): ListenersResponse {
  const listeners = detector
    .list(filter.node)
    .filter((r) => !filter.listener || r.id === filter.listener)
    .sort((a, b) => (a.node === b.node ? a.id.localeCompare(b.id) : a.node.localeCompare(b.node)))
    .map(listenerView);
  return {
    server: runner.opts.server,
    generatedAt: now.toISOString(),
    intervalMs: runner.opts.intervalMs,
    timeoutMs: runner.opts.timeoutMs,
    blind: runner.blind,
    inGrace: detector.inGrace(),
    nodes: runner.opts.nodes
      .filter((n) => !filter.node || n === filter.node)
      .map((node) => {
        const s = runner.lastRoundOf(node);
        const { intervalMs, timeoutMs } = runner.timingOf(node);
        return {
          node,
          intervalMs,
          timeoutMs,
          lastRound: s
            ? { roundId: s.roundId, seq: s.seq, startedAt: new Date(s.startedAtMs).toISOString(), durationMs: Math.round(s.durationMs), complete: s.complete }
            : null,
        };
      }),
    listeners,
  };
}
