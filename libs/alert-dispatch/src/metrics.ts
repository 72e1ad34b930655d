import { prom, type Registry } from '@watchkeeper/runtime';
import { DeliveryOutcome, type NotificationOutcome } from '@watchkeeper/contracts';
import { ADMISSION_DROP_CAUSES } from '@watchkeeper/delivery-queue';

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): prom.Counter<L> {
  return (registry.getSingleMetric(name) as prom.Counter<L> | undefined) ?? new prom.Counter({ name, help, labelNames, registers: [registry] });
}

/** The dispatcher's own metrics; drops are counted per recipient and cause, never silent. */
export function dispatcherMetrics(registry: Registry) {
  const latency =
    (registry.getSingleMetric('watchkeeper_alert_dispatcher_delivery_latency_seconds') as prom.Histogram<'recipient'> | undefined) ??
    new prom.Histogram({
      name: 'watchkeeper_alert_dispatcher_delivery_latency_seconds',
      help: 'From an alert\'s occurrence to its delivery, by recipient',
      labelNames: ['recipient'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
  const m = {
    alertsReceived: counter(registry, 'watchkeeper_alert_dispatcher_alerts_received_total', 'Alert events received, by action and decision reason', ['action', 'reason']),
    notifications: counter(registry, 'watchkeeper_alert_dispatcher_notifications_total', 'Notification outcomes, by recipient and outcome', ['recipient', 'outcome']),
    dropped: counter(registry, 'watchkeeper_alert_dispatcher_notifications_dropped_total', 'Notifications dropped at admission, by recipient and cause', ['recipient', 'cause']),
    latency,
    /** In-process drop counts for the API (metrics hold the same numbers). */
    droppedByRecipient: new Map<string, Map<string, number>>(),
    record(outcomes: NotificationOutcome[]): void {
      // Counted per label set, then one increment each: a digest's outcomes share their labels.
      const notified = new Tally<{ recipient: string; outcome: string }>();
      const dropped = new Tally<{ recipient: string; cause: string }>();
      for (const o of outcomes) {
        notified.add(`${o.recipient}\u0000${o.outcome}`, () => ({ recipient: o.recipient, outcome: o.outcome }));
        if (o.outcome === 'dropped') {
          const cause = o.cause ?? 'unknown';
          dropped.add(`${o.recipient}\u0000${cause}`, () => ({ recipient: o.recipient, cause }));
          let byCause = m.droppedByRecipient.get(o.recipient);
          if (!byCause) m.droppedByRecipient.set(o.recipient, (byCause = new Map()));
          byCause.set(cause, (byCause.get(cause) ?? 0) + 1);
        }
        if (o.outcome === 'delivered' && o.latencyMs !== undefined) latency.observe({ recipient: o.recipient }, o.latencyMs / 1000);
      }
      notified.each((labels, n) => m.notifications.inc(labels, n));
      dropped.each((labels, n) => m.dropped.inc(labels, n));
    },
    /**
     * Every outcome and drop cause of a configured recipient exported from the start (as 0), so
     * rates and alert rules work before the first alert.
     */
    zero(recipient: string): void {
      for (const outcome of DeliveryOutcome.options) m.notifications.inc({ recipient, outcome }, 0);
      for (const cause of ADMISSION_DROP_CAUSES) m.dropped.inc({ recipient, cause }, 0);
      latency.zero({ recipient });
    },
    /** Alert events received, counted per label set first. */
    received(decisions: Array<{ action: string; reason: string }>): void {
      const t = new Tally<{ action: string; reason: string }>();
      for (const d of decisions) t.add(`${d.action}\u0000${d.reason}`, () => ({ action: d.action, reason: d.reason }));
      t.each((labels, n) => m.alertsReceived.inc(labels, n));
    },
  };
  return m;
}
export type DispatcherMetrics = ReturnType<typeof dispatcherMetrics>;

/** Counts per label set (keyed by a string), for one counter increment per set. */
class Tally<L> {
  private readonly rows = new Map<string, { labels: L; n: number }>();

  add(key: string, labels: () => L): void {
    const row = this.rows.get(key);
    if (row) row.n += 1;
    else this.rows.set(key, { labels: labels(), n: 1 });
  }

  each(f: (labels: L, n: number) => void): void {
    for (const { labels, n } of this.rows.values()) f(labels, n);
  }
}
