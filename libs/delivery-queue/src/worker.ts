import { createHash, randomUUID } from 'node:crypto';
import type { NotificationOutcome } from '@watchkeeper/contracts';
import { backoffDelay, type Logger } from '@watchkeeper/runtime';
import { RateLimiter } from './rate-limiter';
import type { DeliveryStore } from './queue-store';
import type { RecipientQueue } from './recipient-queue';
import type { SettleBook } from './settle-book';
import type { DeliveryLimits, Notification, QueueItem, Sender, SendResult } from './types';

export interface WorkerOptions {
  sender: Sender;
  limits: DeliveryLimits;
  store: DeliveryStore;
  /** This recipient's waiting items (in memory; durable in their segments). */
  queue: RecipientQueue;
  settles: SettleBook;
  logger: Logger;
  /** Publishes outcomes (Kafka + metrics); must succeed before the outcome is made durable. */
  onOutcomes: (outcomes: NotificationOutcome[]) => Promise<void>;
  /** Longest sleep with nothing queued: a safety net only (every push to the queue wakes the worker). */
  idlePollMs: number;
  /** Items left this recipient's queue (delivered, dead-lettered, or handed to a fallback): admission bookkeeping. */
  onLeft?: (items: QueueItem[]) => void;
  /** Items joined another recipient's queue (a fallback): the caller puts them there. */
  onJoined?: (items: QueueItem[]) => void;
}

/**
 * Serves one recipient's queue until stopped: take a digest from memory (sources take turns), send,
 * record the outcome (one log write per digest; settling is coalesced), repeat while there is work. Each recipient has its own worker, so a slow or failing
 * recipient only ever waits on itself. Failures pause this recipient with exponential backoff (or for
 * the Retry-After it asked for); after maxAttempts an item goes to the route's fallback or the dead letter.
 */
export class RecipientWorker {
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private limiter: RateLimiter | undefined;
  private consecutiveFailures = 0;
  /** Delivered digests whose outcomes and log entry are being written (at most sendWindow - 1 while sending). */
  private readonly recording = new Set<Promise<void>>();
  pausedUntil = 0;

  constructor(private opts: WorkerOptions) {
    this.limiter = makeLimiter(opts.limits);
    // A push wakes this worker at once, so an idle recipient needs no short poll (a worker that replaces
    // this one for the same queue takes the hook over).
    opts.queue.onPush = () => this.wake();
  }

  get name(): string {
    return this.opts.sender.name;
  }

  get limits(): DeliveryLimits {
    return this.opts.limits;
  }

  /** A reload may change limits and the sender in place; the queue stays. */
  update(sender: Sender, limits: DeliveryLimits): void {
    const rateChanged = JSON.stringify(limits.rateLimit) !== JSON.stringify(this.opts.limits.rateLimit);
    this.opts = { ...this.opts, sender, limits };
    if (rateChanged) this.limiter = makeLimiter(limits);
    this.wake();
  }

  start(): void {
    this.running ??= this.loop();
  }

  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake();
    await this.running;
  }

  /** Sleeps until `ms` passed, stop() or (when `wakeable`) wake(); removes its listener either way (this signal lives long). */
  private async idle(ms: number, wakeable = true): Promise<void> {
    const signal = this.abort.signal;
    if (ms <= 0 || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      if (wakeable) this.wakeUp = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async loop(): Promise<void> {
    try {
      await this.serve();
    } finally {
      // A stop lets the records already under way finish (or give up: those items are sent again after the restart).
      await Promise.allSettled(this.recording);
    }
  }

  private async serve(): Promise<void> {
    const { logger } = this.opts;
    while (!this.abort.signal.aborted) {
      try {
        // At most sendWindow digests sent and unrecorded, counting the one about to go out.
        if (this.recording.size >= Math.max(1, this.opts.limits.sendWindow ?? 1)) {
          await Promise.race(this.recording);
          continue;
        }
        const pause = this.pausedUntil - Date.now();
        if (pause > 0) {
          await this.idle(pause, false);
          continue;
        }
        const wait = this.limiter?.waitMs() ?? 0;
        if (wait > 0) {
          // Alerts gather meanwhile: the next send is a bigger digest, not a longer backlog.
          await this.idle(wait, false);
          continue;
        }
        const items = this.opts.queue.take(this.opts.limits.maxDigest);
        if (items.length === 0) {
          await this.idle(this.opts.idlePollMs);
          continue;
        }
        const digestId = randomUUID();
        this.limiter?.take();
        await this.deliver(items, digestId).catch((err) => {
          // Unrecorded items go back (a stop leaves them in their segments for the next start).
          if (!this.abort.signal.aborted) this.opts.queue.push(items, true);
          throw err;
        });
      } catch (err) {
        logger.error({ err, recipient: this.name }, 'delivery loop error; retrying');
        await this.idle(1000, false);
      }
    }
  }

  private async deliver(items: QueueItem[], digestId: string): Promise<void> {
    const { sender, limits, store } = this.opts;
    const batch: Notification[] = items.map((i) => i.notification);
    const timeout = AbortSignal.timeout(limits.timeoutMs);
    let result: SendResult;
    try {
      result = await Promise.race([
        sender.send(batch, { digestId, signal: timeout }),
        new Promise<SendResult>((resolve) => timeout.addEventListener('abort', () => resolve({ ok: false, retryable: true, cause: 'timeout' }), { once: true })),
      ]);
    } catch (err) {
      result = { ok: false, retryable: true, cause: `error: ${(err as Error).message}`.slice(0, 300) };
    }
    const now = new Date();
    if (result.ok) {
      this.consecutiveFailures = 0;
      // Recorded behind the next sends (see sendWindow); settled and counted out only once durable.
      const record = (async () => {
        await this.publish(items.map((i) => outcome(i, 'delivered', now, { digestId, attempt: i.attempts + 1 })));
        await this.durably(() => store.delivered(items, digestId, now), items);
        this.opts.settles.settle(items);
        this.opts.onLeft?.(items);
      })().catch((err) => {
        // Only when stopping: the items stay open in their segments and are sent again after the restart.
        this.opts.logger.warn({ err, recipient: this.name, items: items.length }, 'delivery not recorded before stop; sent again after the restart');
      });
      this.recording.add(record);
      void record.finally(() => this.recording.delete(record));
      return;
    }
    this.consecutiveFailures += 1;
    const cause = result.cause;
    const exhausted = items.filter((i) => !result.retryable || i.attempts + 1 >= limits.maxAttempts);
    const retry = items.filter((i) => !exhausted.includes(i));
    const toFallback = exhausted.filter((i) => i.fallback);
    const dead = exhausted.filter((i) => !i.fallback);
    const delay = Math.max(result.retryAfterMs ?? 0, backoffDelay(this.consecutiveFailures, { baseMs: limits.baseDelayMs, maxMs: limits.maxDelayMs }));
    this.pausedUntil = now.getTime() + delay;
    this.opts.logger.warn({ recipient: this.name, cause, items: items.length, delayMs: delay, deadLettered: dead.length, toFallback: toFallback.length }, 'send failed');
    await this.publish([
      ...retry.map((i) => outcome(i, 'retried', now, { cause, attempt: i.attempts + 1 })),
      ...toFallback.map((i) => outcome(i, 'retried', now, { cause: `${cause}; handed to fallback ${i.fallback}`, attempt: i.attempts + 1 })),
      ...dead.map((i) => outcome(i, 'dead_lettered', now, { cause, attempt: i.attempts + 1 })),
    ]);
    for (const i of retry) {
      i.attempts += 1;
      i.lastCause = cause;
    }
    this.opts.queue.push(retry, true);
    const moved = toFallback.length > 0 ? await this.durably(() => store.toFallback(toFallback, digestId, now), toFallback) : [];
    if (dead.length > 0) await this.durably(() => store.deadLetter(dead, cause, now), dead);
    this.opts.settles.settle([...toFallback, ...dead]);
    this.opts.onLeft?.([...toFallback, ...dead]);
    this.opts.onJoined?.(moved);
  }

  /**
   * A database write that records items' fate; retried while running. When stopping, the items stay
   * unsettled in their segments and are sent again after the restart (at-least-once).
   */
  private async durably<T>(write: () => Promise<T>, items: QueueItem[]): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (this.abort.signal.aborted) throw err;
        this.opts.logger.warn({ err, recipient: this.name, items: items.length, attempt }, 'recording a delivery outcome failed; retrying');
        await this.idle(backoffDelay(attempt, { baseMs: 200, maxMs: 10_000 }), false);
      }
    }
  }

  /** Outcomes go out before they are made durable (at-least-once); a broker outage holds this recipient, not the others. */
  private async publish(outcomes: NotificationOutcome[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.opts.onOutcomes(outcomes);
        return;
      } catch (err) {
        if (this.abort.signal.aborted) throw err;
        this.opts.logger.warn({ err, recipient: this.name, attempt }, 'publishing outcomes failed; retrying');
        await this.idle(backoffDelay(attempt, { baseMs: 200, maxMs: 10_000 }), false);
      }
    }
  }
}

function makeLimiter(limits: DeliveryLimits): RateLimiter | undefined {
  return limits.rateLimit ? new RateLimiter(limits.rateLimit.max, limits.rateLimit.perMs) : undefined;
}

export function outcome(
  i: Pick<QueueItem, '_id' | 'recipient' | 'originalRecipient' | 'notification' | 'generation'>,
  what: NotificationOutcome['outcome'],
  at: Date,
  extra: { cause?: string; attempt: number; digestId?: string },
): NotificationOutcome {
  return {
    // Deterministic: a republished outcome (after a crash) has the same id, so readers can drop it.
    id: boundedId(`${i._id}|${what}|${i.generation}.${extra.attempt}`),
    alertId: i.notification.alertId,
    fingerprint: i.notification.fingerprint,
    recipient: i.originalRecipient ?? i.recipient,
    outcome: what,
    ...(extra.cause ? { cause: extra.cause } : {}),
    attempt: extra.attempt,
    at: at.toISOString(),
    ...(what === 'delivered' || what === 'dead_lettered' ? { latencyMs: Math.max(0, at.getTime() - Date.parse(i.notification.occurredAt)) } : {}),
    ...(extra.digestId ? { digestId: extra.digestId } : {}),
  };
}

/** Event ids are at most 200 characters; a longer one is replaced by its hash (still deterministic). */
function boundedId(id: string): string {
  return id.length <= 200 ? id : createHash('sha256').update(id).digest('hex');
}
