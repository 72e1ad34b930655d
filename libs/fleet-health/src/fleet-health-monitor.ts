import type { Connection } from 'mongoose';
import type { FleetHealthResponse, FleetSymptom, HostHealthSnapshot } from '@watchkeeper/contracts';
import { COLLECTIONS } from '@watchkeeper/dal';
import type { Outbox } from '@watchkeeper/outbox';
import type { Logger } from '@watchkeeper/runtime';
import { criticalSelfChecks, defaultDetectorConfig, detectSymptoms, type DetectorConfig, type HostWindowActivity } from './detectors';
import type { RequestLog } from './request-log';
import { StatefulAlerts, type AlertKind } from './stateful-alerts';

export const fleetAlertKinds: Record<FleetSymptom, AlertKind> = {
  silent: { type: 'host-silent', entityKind: 'host', severity: 'warning', summary: (h) => `${h} has sent nothing for over 30 minutes` },
  'fatal-only': { type: 'host-fatal-only', entityKind: 'host', severity: 'warning', summary: (h) => `every request from ${h} was refused (4xx)` },
  unstamped: { type: 'host-unstamped-uploads', entityKind: 'host', severity: 'info', summary: (h) => `${h} uploads without X-Code-Commit` },
  'self-check-critical': { type: 'host-self-check-critical', entityKind: 'host', severity: 'critical', summary: (h) => `${h} reports a critical self-check` },
};

export interface FleetHealthOptions {
  conn: Connection;
  requestLog: RequestLog;
  outbox: Outbox;
  logger: Logger;
  /** Window over which fatal-only and unstamped are judged. */
  windowMs?: number;
  detector?: Partial<DetectorConfig>;
  source?: string;
  /** Each host's latest self-check report: a critical check is the self-check-critical symptom. */
  selfChecks?: () => Promise<HostHealthSnapshot[]>;
  /** Hosts not judged nor listed (retired by the admin); their open symptoms are released. */
  hiddenHosts?: () => Promise<ReadonlySet<string>>;
}

/**
 * Reads the request log, finds silent / fatal-only / unstamped hosts and keeps one stateful alert per
 * (host, symptom). `evaluate(now)` takes the clock as an argument, so it runs the same under a timer
 * and in tests.
 */
export class FleetHealthMonitor {
  readonly alerts: StatefulAlerts;
  readonly windowMs: number;
  private readonly cfg: DetectorConfig;
  private lastEvaluatedAt: Date | null = null;

  constructor(private readonly opts: FleetHealthOptions) {
    this.windowMs = opts.windowMs ?? 3600_000;
    this.cfg = { ...defaultDetectorConfig, ...opts.detector };
    this.alerts = new StatefulAlerts(opts.conn, { outbox: opts.outbox, collection: COLLECTIONS.receiver.fleetAlerts, source: opts.source ?? 'receiver', kinds: fleetAlertKinds });
  }

  async activity(now: Date): Promise<HostWindowActivity[]> {
    const model = this.opts.requestLog.model;
    const lookBack = new Date(now.getTime() - this.cfg.lookBackMs);
    const windowStart = new Date(now.getTime() - this.windowMs);
    const [last, counts] = await Promise.all([
      this.opts.requestLog.hosts.find({ lastAt: { $gte: lookBack } }).lean(),
      // Summed here, not with $group: FerretDB 1.x sums only the first of several $sum accumulators.
      model.find({ minute: { $gte: floorMinute(windowStart), $lte: now } }, { host: 1, requests: 1, clientErrors: 1, uploads: 1, unstampedUploads: 1 }).lean(),
    ]);
    const hidden = await this.hidden();
    const byHost = new Map<string, { requests: number; clientErrors: number; uploads: number; unstampedUploads: number }>();
    for (const m of counts) {
      const c = byHost.get(m.host) ?? { requests: 0, clientErrors: 0, uploads: 0, unstampedUploads: 0 };
      c.requests += m.requests ?? 0;
      c.clientErrors += m.clientErrors ?? 0;
      c.uploads += m.uploads ?? 0;
      c.unstampedUploads += m.unstampedUploads ?? 0;
      byHost.set(m.host, c);
    }
    return last
      .filter((l) => l.lastAt.getTime() >= lookBack.getTime() && !hidden.has(l._id))
      .map((l) => {
        const c = byHost.get(l._id);
        return {
          host: l._id,
          lastRequestAt: new Date(l.lastAt),
          requests: c?.requests ?? 0,
          clientErrors: c?.clientErrors ?? 0,
          uploads: c?.uploads ?? 0,
          unstampedUploads: c?.unstampedUploads ?? 0,
        };
      })
      .sort((a, b) => a.host.localeCompare(b.host));
  }

  /** One run: flush the request log, detect, reconcile the alerts, prune old minutes. */
  async evaluate(now: Date): Promise<{ triggered: number; released: number; hosts: number }> {
    await this.opts.requestLog.flush();
    const activity = await this.activity(now);
    const symptoms = detectSymptoms(activity, now, this.cfg);
    const hidden = await this.hidden();
    for (const [host] of criticalSelfChecks(this.opts.selfChecks ? await this.opts.selfChecks() : [])) {
      if (hidden.has(host)) continue;
      const set = symptoms.get(host) ?? new Set<FleetSymptom>();
      set.add('self-check-critical');
      symptoms.set(host, set);
    }
    const current = [...symptoms].flatMap(([host, set]) => [...set].map((symptom) => ({ subject: host, symptom })));
    const r = await this.alerts.reconcile(current, now);
    // Minutes are read for the window only (the look-back reads request_hosts): an hour's margin beyond it.
    await this.opts.requestLog.prune(new Date(now.getTime() - this.windowMs - 3600_000), new Date(now.getTime() - this.cfg.lookBackMs - 3600_000));
    this.lastEvaluatedAt = now;
    if (r.triggered || r.released) this.opts.logger.info({ ...r, hosts: activity.length }, 'fleet-health: alerts changed');
    return { ...r, hosts: activity.length };
  }

  private async hidden(): Promise<ReadonlySet<string>> {
    return this.opts.hiddenHosts ? this.opts.hiddenHosts() : new Set<string>();
  }

  /** What the dashboard shows: every host seen in the look-back, its counts and open symptoms. */
  async report(now: Date): Promise<FleetHealthResponse> {
    const [activity, allOpen, hidden] = await Promise.all([this.activity(now), this.alerts.active(), this.hidden()]);
    const open = allOpen.filter((o) => !hidden.has(o.subject));
    const hosts = new Map(activity.map((a) => [a.host, a]));
    return {
      evaluatedAt: this.lastEvaluatedAt?.toISOString() ?? null,
      windowMs: this.windowMs,
      hosts: [...new Set([...hosts.keys(), ...open.map((o) => o.subject)])].sort().map((host) => {
        const a = hosts.get(host);
        return {
          host,
          lastRequestAt: a?.lastRequestAt.toISOString() ?? null,
          requests: a?.requests ?? 0,
          clientErrors: a?.clientErrors ?? 0,
          uploads: a?.uploads ?? 0,
          unstampedUploads: a?.unstampedUploads ?? 0,
          symptoms: open
            .filter((o) => o.subject === host)
            .map((o) => ({ symptom: o.symptom as FleetSymptom, since: o.since.toISOString() }))
            .sort((x, y) => x.symptom.localeCompare(y.symptom)),
        };
      }),
    };
  }
}

const floorMinute = (d: Date): Date => new Date(Math.floor(d.getTime() / 60_000) * 60_000);
