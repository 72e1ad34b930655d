import { prom, type Registry } from '@watchkeeper/runtime';
import type { NotificationOutcome } from '@watchkeeper/contracts';

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
      for (const o of outcomes) {
        m.notifications.inc({ recipient: o.recipient, outcome: o.outcome });
        if (o.outcome === 'dropped') {
          const cause = o.cause ?? 'unknown';
          m.dropped.inc({ recipient: o.recipient, cause });
          let byCause = m.droppedByRecipient.get(o.recipient);
          if (!byCause) m.droppedByRecipient.set(o.recipient, (byCause = new Map()));
          byCause.set(cause, (byCause.get(cause) ?? 0) + 1);
        }
        if (o.outcome === 'delivered' && o.latencyMs !== undefined) latency.observe({ recipient: o.recipient }, o.latencyMs / 1000);
      }
    },
  };
  return m;
}
export type DispatcherMetrics = ReturnType<typeof dispatcherMetrics>;
