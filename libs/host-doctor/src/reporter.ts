import type { HostSelfCheckReport } from '@watchkeeper/contracts';
import { sleep } from '@watchkeeper/runtime';
import type { ClockSample } from './checks';
import { buildReport, type Observations } from './doctor';
import { probeCollector, probeHeartbeatClient } from './probes';
import type { ReceiverClient } from './receiver-client';
import { firstRunDelayMs, nextRunDelayMs, type Schedule } from './schedule';
import { failedUnits, loadAverage, memoryUsage, mountUsage, uptimeMs } from './system';
import type { Thresholds } from './thresholds';

export interface ReporterOptions {
  host: string;
  client: ReceiverClient;
  thresholds: Thresholds;
  /** Only these mount points (default: every data filesystem in /proc/mounts). */
  mounts?: string[];
  /** The log collector's ops endpoint; undefined: not checked. */
  collectorUrl?: string;
  /** The heartbeat client's ops endpoint; undefined: not checked. */
  heartbeatClientUrl?: string;
  about?: Record<string, string>;
}

/** Reads this host: the receiver's clock (ping), disks, memory, load, systemd, the collector, the heartbeat client. */
export async function observe(o: ReporterOptions): Promise<Observations> {
  const clock: Promise<ClockSample | Error> = o.client.ping().then(
    (p) => p.clock,
    (err: Error) => err,
  );
  const [mounts, memory, units, collector, heartbeatClient, sample] = await Promise.all([
    mountUsage(o.mounts),
    memoryUsage(),
    failedUnits(),
    o.collectorUrl ? probeCollector(o.collectorUrl) : Promise.resolve(null),
    o.heartbeatClientUrl ? probeHeartbeatClient(o.heartbeatClientUrl) : Promise.resolve(null),
    clock,
  ]);
  return { host: o.host, at: Date.now(), uptimeMs: uptimeMs(), mounts, memory, load: loadAverage(), clock: sample, failedUnits: units, collector, heartbeatClient, ...(o.about ? { about: o.about } : {}) };
}

/** One run: observe, build the report, PUT it (with the client's retries). */
export async function reportOnce(o: ReporterOptions): Promise<{ report: HostSelfCheckReport; receivedAt: string }> {
  const report = buildReport(await observe(o), o.thresholds);
  const { receivedAt } = await o.client.putReport(report);
  return { report, receivedAt };
}

/**
 * Runs `reportOnce` on the schedule until `signal` aborts: first `bootDelayMs` after the host booted
 * (at once on a host up for longer), then every interval plus jitter. A failed run (after the
 * client's retries) is reported to `onResult` and waits for the next turn.
 */
export async function runOnSchedule(
  o: ReporterOptions,
  schedule: Schedule,
  signal: AbortSignal,
  onResult: (r: { ok: true; report: HostSelfCheckReport; receivedAt: string } | { ok: false; error: Error }, nextInMs: number) => void,
  uptime: () => number = uptimeMs,
): Promise<void> {
  await sleep(firstRunDelayMs(uptime(), schedule), signal);
  while (!signal.aborted) {
    let result: Parameters<typeof onResult>[0];
    try {
      result = { ok: true, ...(await reportOnce(o)) };
    } catch (err) {
      result = { ok: false, error: err as Error };
    }
    if (signal.aborted) return;
    const next = nextRunDelayMs(schedule);
    onResult(result, next);
    await sleep(next, signal);
  }
}
