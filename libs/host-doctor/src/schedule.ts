/** When the reporter runs: once `bootDelayMs` after the host booted, then every `intervalMs` plus up to `jitterMs`. */
export interface Schedule {
  bootDelayMs: number;
  intervalMs: number;
  jitterMs: number;
}

/** The original's: 10 minutes after boot, then daily with 30 minutes of jitter. */
export const defaultSchedule: Schedule = { bootDelayMs: 10 * 60_000, intervalMs: 24 * 3600_000, jitterMs: 30 * 60_000 };

/** Pure: how long to wait before the first run, given the host's uptime (a host up for longer runs at once). */
export function firstRunDelayMs(uptimeMs: number, s: Schedule): number {
  return Math.max(0, s.bootDelayMs - uptimeMs);
}

/** Pure: the wait between runs; the jitter spreads a fleet that booted together over `jitterMs`. */
export function nextRunDelayMs(s: Schedule, random: () => number = Math.random): number {
  return s.intervalMs + Math.floor(random() * s.jitterMs);
}
