import type { Connection } from 'mongoose';
import type { Outbox } from '@watchkeeper/outbox';
import type { Logger } from '@watchkeeper/runtime';
import { StatefulAlerts, type AlertKind } from './stateful-alerts';

/** What the detector reads from the stored sshd events. */
export interface FailedAttemptSource {
  failedAttempts(sourceIp: string, from: Date, to: Date): Promise<number>;
  lastFailedAt(sourceIp: string): Promise<Date | undefined>;
}

export interface BruteForceOptions {
  conn: Connection;
  events: FailedAttemptSource;
  outbox: Outbox;
  logger: Logger;
  /** More than this many failed attempts from one address within `windowMs` is an attack. */
  threshold: number;
  windowMs: number;
  source?: string;
}

const kind: AlertKind = {
  type: 'ssh-brute-force',
  entityKind: 'source',
  severity: 'warning',
  summary: (ip) => `brute-force SSH login attempts from ${ip}`,
};

/**
 * More than N failed SSH logins from one address within a window (event time) triggers a stateful
 * alert; `sweep(now)` releases it once that address has been quiet for a whole window. Counting reads
 * the stored events, so a replayed batch finds the same counts and raises nothing new.
 */
export class BruteForceDetector {
  readonly alerts: StatefulAlerts;

  constructor(private readonly opts: BruteForceOptions) {
    this.alerts = new StatefulAlerts(opts.conn, { outbox: opts.outbox, collection: 'ssh_bruteforce_alerts', source: opts.source ?? 'receiver', kinds: { 'brute-force': kind } });
  }

  /** After a batch of events is stored: judge the addresses it had failed attempts from. */
  async check(latestFailure: Map<string, Date>, now: Date): Promise<string[]> {
    const attacking: string[] = [];
    for (const [ip, at] of latestFailure) {
      const n = await this.opts.events.failedAttempts(ip, new Date(at.getTime() - this.opts.windowMs), at);
      if (n > this.opts.threshold) attacking.push(ip);
    }
    if (attacking.length) {
      const r = await this.alerts.reconcile(attacking.map((ip) => ({ subject: ip, symptom: 'brute-force' })), now, () => false);
      if (r.triggered) this.opts.logger.info({ sources: attacking }, 'ssh brute force detected');
    }
    return attacking;
  }

  /** Releases alerts of addresses with no failed attempt in the last window. */
  async sweep(now: Date): Promise<number> {
    const open = await this.alerts.active();
    const still: Array<{ subject: string; symptom: string }> = [];
    for (const a of open) {
      const last = await this.opts.events.lastFailedAt(a.subject);
      if (last && now.getTime() - last.getTime() <= this.opts.windowMs) still.push({ subject: a.subject, symptom: a.symptom });
    }
    // Still-active ones are not re-triggered here (only new attempts do that): keep them as they are.
    const stillIds = new Set(still.map((s) => s.subject));
    const r = await this.alerts.reconcile([], now, (subject) => !stillIds.has(subject));
    return r.released;
  }
}
