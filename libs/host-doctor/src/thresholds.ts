import type { CheckStatus } from '@watchkeeper/contracts';

/** A level that is bad when high: `warning` at or above the first, `critical` at or above the second. */
export interface Limits {
  warning: number;
  critical: number;
}

/** Every threshold of the self-checks; defaults in `defaultThresholds`, each configurable (DOCTOR_*). */
export interface Thresholds {
  /** Used space of a mount, percent. */
  diskPercent: Limits;
  /** Used memory (total − available), percent. */
  memoryPercent: Limits;
  /** 5-minute load average per CPU. */
  loadPerCpu: Limits;
  /** Clock offset against the receiver beyond half the round trip, ms. */
  clockOffsetMs: Limits;
  /** Age of the collector's last checkpoint while the followed file has unread bytes, ms. */
  checkpointAgeMs: Limits;
  /** Age of the heartbeat client's last answer, ms. */
  heartbeatAnswerAgeMs: Limits;
  /** Status of a host with failed systemd units. */
  failedUnits: Exclude<CheckStatus, 'ok' | 'unknown'>;
}

export const defaultThresholds: Thresholds = {
  diskPercent: { warning: 85, critical: 95 },
  memoryPercent: { warning: 90, critical: 97 },
  loadPerCpu: { warning: 2, critical: 4 },
  clockOffsetMs: { warning: 1000, critical: 10_000 },
  checkpointAgeMs: { warning: 15 * 60_000, critical: 60 * 60_000 },
  heartbeatAnswerAgeMs: { warning: 15 * 60_000, critical: 60 * 60_000 },
  failedUnits: 'critical',
};

/** Pure: the status of a value against limits that are bad when high. */
export function levelOf(value: number, limits: Limits): CheckStatus {
  if (!Number.isFinite(value)) return 'unknown';
  if (value >= limits.critical) return 'critical';
  if (value >= limits.warning) return 'warning';
  return 'ok';
}

const order: Record<CheckStatus, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

/** The worst of some statuses (ok < unknown < warning < critical); ok for none. */
export function worstStatus(statuses: CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((w, s) => (order[s] > order[w] ? s : w), 'ok');
}
