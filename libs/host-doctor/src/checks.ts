import type { HostCheck } from '@watchkeeper/contracts';
import { levelOf, worstStatus, type Thresholds } from './thresholds';

export interface MountUsage {
  mount: string;
  fsType: string;
  totalBytes: number;
  /** Space a non-root user may still use (statfs bavail). */
  availableBytes: number;
  /** Free including the root reserve (statfs bfree). */
  freeBytes: number;
}

/** Percent used as `df` counts it: used / (used + available), so the root reserve counts as full. */
export function usedPercent(m: Pick<MountUsage, 'totalBytes' | 'availableBytes' | 'freeBytes'>): number {
  const used = m.totalBytes - m.freeBytes;
  const denom = used + m.availableBytes;
  return denom > 0 ? Math.round((used / denom) * 1000) / 10 : 0;
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
const minutes = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

/** One check per mount: `disk:<mount>`. */
export function diskChecks(mounts: MountUsage[], t: Thresholds): HostCheck[] {
  if (!mounts.length) return [{ name: 'disk', status: 'unknown', detail: 'no mounted filesystem found to check' }];
  return mounts.map((m) => {
    const pct = usedPercent(m);
    return { name: `disk:${m.mount}`, status: levelOf(pct, t.diskPercent), detail: `${pct}% used, ${gib(m.availableBytes)} of ${gib(m.totalBytes)} available (${m.fsType})` };
  });
}

export function memoryCheck(mem: { totalBytes: number; availableBytes: number }, t: Thresholds): HostCheck {
  const pct = mem.totalBytes > 0 ? Math.round(((mem.totalBytes - mem.availableBytes) / mem.totalBytes) * 1000) / 10 : NaN;
  return { name: 'memory', status: levelOf(pct, t.memoryPercent), detail: `${pct}% used, ${gib(mem.availableBytes)} of ${gib(mem.totalBytes)} available` };
}

export function loadCheck(load: { one: number; five: number; fifteen: number; cpus: number }, t: Thresholds): HostCheck {
  const perCpu = Math.round((load.five / Math.max(1, load.cpus)) * 100) / 100;
  return { name: 'load', status: levelOf(perCpu, t.loadPerCpu), detail: `load ${load.one.toFixed(2)} ${load.five.toFixed(2)} ${load.fifteen.toFixed(2)} on ${load.cpus} CPUs (${perCpu} per CPU over 5 min)` };
}

/** A `POST /v1/ping` seen from here: local clock before sending and after the answer, and the receiver's clock. */
export interface ClockSample {
  sentAt: number;
  answeredAt: number;
  serverTime: number;
}

/**
 * Pure: how far this clock is off the receiver's. The receiver stamped its time somewhere within the
 * round trip, so the offset is measured against its middle and half the round trip is allowed for.
 */
export function clockOffset(s: ClockSample): { offsetMs: number; uncertaintyMs: number; beyondMs: number } {
  const uncertaintyMs = Math.max(0, (s.answeredAt - s.sentAt) / 2);
  const offsetMs = s.serverTime - (s.sentAt + s.answeredAt) / 2;
  return { offsetMs, uncertaintyMs, beyondMs: Math.max(0, Math.abs(offsetMs) - uncertaintyMs) };
}

export function clockCheck(sample: ClockSample | Error, t: Thresholds): HostCheck {
  if (sample instanceof Error) return { name: 'clock', status: 'unknown', detail: `the receiver's clock could not be read: ${sample.message}` };
  const o = clockOffset(sample);
  const dir = o.offsetMs > 0 ? 'behind' : 'ahead of';
  return {
    name: 'clock',
    status: levelOf(o.beyondMs, t.clockOffsetMs),
    detail: `${Math.round(Math.abs(o.offsetMs))} ms ${dir} the receiver (± ${Math.round(o.uncertaintyMs)} ms, half the round trip)`,
  };
}

/** `null`: no systemd on this host (the check is left out). */
export function systemdCheck(failed: string[] | null | Error, t: Thresholds): HostCheck | undefined {
  if (failed === null) return undefined;
  if (failed instanceof Error) return { name: 'systemd', status: 'unknown', detail: `systemctl failed: ${failed.message}` };
  if (!failed.length) return { name: 'systemd', status: 'ok', detail: 'no failed units' };
  const shown = failed.slice(0, 20).join(', ') + (failed.length > 20 ? `, … (${failed.length} in all)` : '');
  return { name: 'systemd', status: t.failedUnits, detail: `${failed.length} failed unit${failed.length === 1 ? '' : 's'}: ${shown}` };
}

/** One followed source of the collector, from its /metrics. */
export interface CollectorSource {
  path: string;
  /** Unread bytes of a followed file; undefined for a journal. */
  behindBytes?: number;
  /** When the collector last saved a checkpoint for it (ms since epoch); undefined: none since it started. */
  checkpointAt?: number;
}

/**
 * Pure: is the log collector keeping up? An old checkpoint alone is no problem (a quiet log); an old
 * one while the file has unread bytes is a stuck collector.
 */
export function collectorCheck(state: CollectorSource[] | Error | null, now: number, t: Thresholds): HostCheck | undefined {
  if (state === null) return undefined;
  if (state instanceof Error) return { name: 'collector-checkpoint', status: 'critical', detail: `the log collector's ops endpoint did not answer: ${state.message}` };
  if (!state.length) return { name: 'collector-checkpoint', status: 'unknown', detail: 'the log collector reports no followed source yet' };
  const parts = state.map((s) => {
    const age = s.checkpointAt === undefined ? undefined : now - s.checkpointAt;
    if (s.behindBytes && s.behindBytes > 0) {
      if (age === undefined) return { status: 'warning' as const, text: `${s.path}: ${s.behindBytes} bytes unread, no checkpoint since the collector started` };
      return { status: levelOf(age, t.checkpointAgeMs), text: `${s.path}: ${s.behindBytes} bytes unread, last checkpoint ${minutes(age)} ago` };
    }
    return { status: 'ok' as const, text: `${s.path}: ${s.behindBytes === 0 ? 'caught up' : 'following'}${age === undefined ? '' : `, last checkpoint ${minutes(age)} ago`}` };
  });
  return { name: 'collector-checkpoint', status: worstStatus(parts.map((p) => p.status)), detail: parts.map((p) => p.text).join('; ') };
}

export interface HeartbeatClientState {
  online: boolean;
  /** Last answered heartbeat (ms since epoch); undefined: none since it started. */
  lastAnswerAt?: number;
  /** When the client started (ms since epoch), for "none yet" after a fresh start. */
  startedAt?: number;
}

/** Pure: is the heartbeat client online and answering? Unreachable is `unknown` (a host may run none). */
export function heartbeatClientCheck(state: HeartbeatClientState | Error | null, now: number, t: Thresholds): HostCheck | undefined {
  if (state === null) return undefined;
  if (state instanceof Error) return { name: 'heartbeat-client', status: 'unknown', detail: `the heartbeat client's ops endpoint did not answer: ${state.message}` };
  if (!state.online) return { name: 'heartbeat-client', status: 'critical', detail: 'the heartbeat client is not connected to XMPP' };
  const since = state.lastAnswerAt ?? state.startedAt;
  if (since === undefined) return { name: 'heartbeat-client', status: 'warning', detail: 'online, but has answered no heartbeat since it started' };
  const age = now - since;
  const what = state.lastAnswerAt === undefined ? `online, no heartbeat answered since it started ${minutes(age)} ago` : `online, last heartbeat answered ${minutes(age)} ago`;
  return { name: 'heartbeat-client', status: levelOf(age, t.heartbeatAnswerAgeMs), detail: what };
}
