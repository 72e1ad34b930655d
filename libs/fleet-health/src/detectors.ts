import { reportChecks, type FleetSymptom, type HostCheck } from '@watchkeeper/contracts';

export interface HostWindowActivity {
  host: string;
  /** Last request in the look-back (24 h); hosts with none are not judged at all. */
  lastRequestAt: Date;
  /** Counts inside the detector window. */
  requests: number;
  clientErrors: number;
  uploads: number;
  unstampedUploads: number;
}

export interface DetectorConfig {
  /** Quiet for longer than this (but seen within the look-back) → silent. */
  silentAfterMs: number;
  /** Hosts that sent nothing for longer than this are forgotten (retired, not silent). */
  lookBackMs: number;
}

export const defaultDetectorConfig: DetectorConfig = { silentAfterMs: 30 * 60_000, lookBackMs: 24 * 3600_000 };

/** Pure: which symptoms each host shows at `now`. */
export function detectSymptoms(activity: HostWindowActivity[], now: Date, cfg: DetectorConfig = defaultDetectorConfig): Map<string, Set<FleetSymptom>> {
  const out = new Map<string, Set<FleetSymptom>>();
  for (const a of activity) {
    const quietMs = now.getTime() - a.lastRequestAt.getTime();
    if (quietMs > cfg.lookBackMs) continue;
    const s = new Set<FleetSymptom>();
    if (quietMs > cfg.silentAfterMs) s.add('silent');
    if (a.requests > 0 && a.clientErrors === a.requests) s.add('fatal-only');
    if (a.unstampedUploads > 0) s.add('unstamped');
    out.set(a.host, s);
  }
  return out;
}

/** Pure: the critical checks of each host's latest self-check report (hosts without any are left out). */
export function criticalSelfChecks(snapshots: Array<{ host: string; report: Record<string, unknown> }>): Map<string, HostCheck[]> {
  const out = new Map<string, HostCheck[]>();
  for (const s of snapshots) {
    const critical = reportChecks(s.report).filter((c) => c.status === 'critical');
    if (critical.length) out.set(s.host, critical);
  }
  return out;
}
