import { z } from 'zod';
import { HostName, IsoDateTime } from '../common';

/** Nagios's status words, worst last. */
export const CheckStatus = z.enum(['ok', 'warning', 'critical', 'unknown']);
export type CheckStatus = z.infer<typeof CheckStatus>;

/** One self-check of a host: `disk:/var`, `memory`, `load`, `clock`, `systemd`, `collector-checkpoint`, `heartbeat-client`… */
export const HostCheck = z.object({
  name: z.string().min(1).max(200),
  status: CheckStatus,
  detail: z.string().max(2000),
});
export type HostCheck = z.infer<typeof HostCheck>;

export const DiskUsage = z.object({
  mount: z.string(),
  fsType: z.string(),
  totalBytes: z.number().nonnegative(),
  availableBytes: z.number().nonnegative(),
  usedPercent: z.number().min(0).max(100),
});

export const MemoryUsage = z.object({
  totalBytes: z.number().nonnegative(),
  availableBytes: z.number().nonnegative(),
  usedPercent: z.number().min(0).max(100),
});

export const LoadAverage = z.object({
  one: z.number().nonnegative(),
  five: z.number().nonnegative(),
  fifteen: z.number().nonnegative(),
  cpus: z.number().int().positive(),
});

/**
 * What a host's self-check reporter (`watchkeeper-log-collector doctor`) PUTs to
 * `/v1/host-health/{host}`. The receiver stores any JSON object; this is the shape the reporter sends
 * and the fleet-health detectors read (`checks`). More keys may be added.
 */
export const HostSelfCheckReport = z
  .object({
    host: HostName,
    generatedAt: IsoDateTime,
    disk: z.array(DiskUsage),
    memory: MemoryUsage,
    load: LoadAverage,
    checks: z.array(HostCheck),
  })
  .loose();
export type HostSelfCheckReport = z.infer<typeof HostSelfCheckReport>;

/** The checks of a stored report, when it has a readable `checks` list (other reports have none). */
export function reportChecks(report: Record<string, unknown>): HostCheck[] {
  const parsed = z.array(HostCheck).safeParse(report.checks);
  return parsed.success ? parsed.data : [];
}
