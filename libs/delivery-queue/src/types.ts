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
  category?: string;
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
  /** Most digests sent and not yet recorded (what a crash may re-send); default 1. */
  sendWindow?: number;
  rateLimit?: { max: number; perMs: number };
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

/** A notification waiting for one recipient, in this process's memory; durable in its segment. */
export interface QueueItem {
  /** `<alert event id>|<route recipient>`: stable across retries, fallbacks and restarts. */
  _id: string;
  recipient: string;
  /** Where it goes if this recipient dead-letters it (cleared once used). */
  fallback?: string;
  /** The recipient the route named, when a fallback took the item over. */
  originalRecipient?: string;
  source: string;
  type: string;
  /** Failed attempts so far (in memory: a restart starts the count again). */
  attempts: number;
  lastCause?: string;
  /** Bumped by a dead-letter replay. */
  generation: number;
  receivedAt: Date;
  /** The alerts-topic partition it came from: whoever owns that partition delivers it. */
  partition: number;
  /** Its segment and position there (set when written). */
  segment?: string;
  index?: number;
  notification: Notification;
}
