import { prom } from '@watchkeeper/runtime';
import { dispatcherMetrics } from './metrics';

describe('dispatcherMetrics.zero', () => {
  it('exports 0 for every outcome and drop cause of a recipient before its first alert', async () => {
    const registry = new prom.Registry();
    const m = dispatcherMetrics(registry);
    expect(await registry.metrics()).not.toContain('recipient="ops"');
    m.zero('ops');
    const text = await registry.metrics();
    for (const outcome of ['delivered', 'retried', 'dropped', 'dead_lettered', 'silenced']) {
      expect(text).toContain(`watchkeeper_alert_dispatcher_notifications_total{recipient="ops",outcome="${outcome}"} 0`);
    }
    for (const cause of ['queue-full', 'source-quota', 'type-quota']) {
      expect(text).toContain(`watchkeeper_alert_dispatcher_notifications_dropped_total{recipient="ops",cause="${cause}"} 0`);
    }
    expect(text).toContain('watchkeeper_alert_dispatcher_delivery_latency_seconds_count{recipient="ops"} 0');
    // Later counts add to the zeros.
    m.record([{ id: 'o1', alertId: 'a1', fingerprint: 'f', recipient: 'ops', outcome: 'dropped', cause: 'queue-full', attempt: 0, at: '2026-12-07T00:00:00.000Z' }]);
    expect(await registry.metrics()).toContain('watchkeeper_alert_dispatcher_notifications_dropped_total{recipient="ops",cause="queue-full"} 1');
  });
});
