import type { HostCheck, HostSelfCheckReport } from '@watchkeeper/contracts';
import { clockCheck, collectorCheck, diskChecks, heartbeatClientCheck, loadCheck, memoryCheck, systemdCheck, usedPercent, type ClockSample, type CollectorSource, type HeartbeatClientState, type MountUsage } from './checks';
import type { Thresholds } from './thresholds';

/** Everything a report is made from, gathered beforehand (so building the report is pure). */
export interface Observations {
  host: string;
  at: number;
  uptimeMs: number;
  mounts: MountUsage[];
  memory: { totalBytes: number; availableBytes: number };
  load: { one: number; five: number; fifteen: number; cpus: number };
  clock: ClockSample | Error;
  /** null: no systemd here. */
  failedUnits: string[] | null | Error;
  /** null: not checked (not configured). */
  collector: CollectorSource[] | Error | null;
  heartbeatClient: HeartbeatClientState | Error | null;
  /** Free-form facts carried along (the reporter's version…). */
  about?: Record<string, string>;
}

/** Pure: the report a host PUTs, with top-level `disk`, `memory`, `load` and `checks`. */
export function buildReport(o: Observations, t: Thresholds): HostSelfCheckReport {
  const checks: HostCheck[] = [
    ...diskChecks(o.mounts, t),
    memoryCheck(o.memory, t),
    loadCheck(o.load, t),
    clockCheck(o.clock, t),
    systemdCheck(o.failedUnits, t),
    collectorCheck(o.collector, o.at, t),
    heartbeatClientCheck(o.heartbeatClient, o.at, t),
  ].filter((c): c is HostCheck => c !== undefined);
  const memoryPct = o.memory.totalBytes > 0 ? Math.round(((o.memory.totalBytes - o.memory.availableBytes) / o.memory.totalBytes) * 1000) / 10 : 0;
  return {
    host: o.host,
    generatedAt: new Date(o.at).toISOString(),
    uptimeSeconds: Math.round(o.uptimeMs / 1000),
    disk: o.mounts.map((m) => ({ mount: m.mount, fsType: m.fsType, totalBytes: m.totalBytes, availableBytes: m.availableBytes, usedPercent: usedPercent(m) })),
    memory: { totalBytes: o.memory.totalBytes, availableBytes: o.memory.availableBytes, usedPercent: memoryPct },
    load: o.load,
    checks,
    ...(o.about ? { about: o.about } : {}),
  };
}
