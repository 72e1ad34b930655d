import type { NotificationKind, Severity } from '@watchkeeper/contracts';

/** One alert as a recipient receives it (a digest is several of these in one send). */
export interface Notification {
  /** Queue item id: `<alert event id>|<recipient>`, stable across retries and restarts. */
  id: string;
  alertId: string;
  fingerprint: string;
  kind: NotificationKind;
  type: string;
  entity: { kind: string; id: string };
  labels: Record<string, string>;
  severity: Severity;
  summary?: string;
  description?: string;
  source: string;
  occurredAt: string;
  startsAt?: string;
  durationMs?: number;
  receivedAt: string;
}

export type SendResult =
  | { ok: true }
  /** retryAfterMs: the recipient said when to come back (429/503 Retry-After). */
  | { ok: false; retryable: boolean; cause: string; retryAfterMs?: number };

/** The one plugin interface every recipient implements. */
export interface Sender {
  readonly name: string;
  readonly type: string;
  /** Delivers all of `batch` as one notification (a digest when more than one). Throwing counts as a retryable failure. */
  send(batch: Notification[], ctx: { digestId: string; signal: AbortSignal }): Promise<SendResult>;
  close?(): Promise<void>;
}

/** Per-recipient queue limits and delivery pacing. */
export interface DeliveryLimits {
  capacity: number;
  perSourceQuota: number;
  perTypeQuota: number;
  maxDigest: number;
  rateLimit?: { max: number; perMs: number };
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}
