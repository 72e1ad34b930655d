import type { AccountingResponse } from '@watchkeeper/contracts';
import type { AlertHistoryStore } from '@watchkeeper/alert-state';
import type { DeliveryStore } from '@watchkeeper/delivery-queue';

type Counts = AccountingResponse['byRecipient'][string];
const zero = (): Counts => ({ received: 0, delivered: 0, dropped: 0, deadLettered: 0, silenced: 0, queued: 0, droppedByCause: {} });

/**
 * For the alerts received in [from, to): what each recipient's copy became. `received` and the
 * admission outcomes (dropped, silenced) come from the history store; delivered, dead-lettered and
 * still-queued from the delivery log and queue — two independent records that must add up.
 */
export async function computeAccounting(history: AlertHistoryStore, store: DeliveryStore, from: Date, to: Date): Promise<AccountingResponse> {
  const [fan, win] = await Promise.all([history.fanoutCounts(from, to), store.windowCounts(from, to)]);
  const by: Record<string, Counts> = {};
  const get = (r: string) => (by[r] ??= zero());
  for (const row of fan.counts) {
    const c = get(row.recipient);
    c.received += row.n;
    if (row.state === 'dropped') {
      c.dropped += row.n;
      const cause = row.cause ?? 'unknown';
      c.droppedByCause[cause] = (c.droppedByCause[cause] ?? 0) + row.n;
    } else if (row.state === 'silenced') c.silenced += row.n;
  }
  for (const row of win) {
    const c = get(row.recipient);
    if (row.state === 'delivered') c.delivered += row.n;
    else if (row.state === 'dead_lettered') c.deadLettered += row.n;
    else c.queued += row.n;
  }
  const total = zero();
  for (const c of Object.values(by)) {
    for (const k of ['received', 'delivered', 'dropped', 'deadLettered', 'silenced', 'queued'] as const) total[k] += c[k];
  }
  const { droppedByCause: _unused, ...totals } = total;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    alerts: fan.alerts,
    ...totals,
    balanced: totals.received === totals.delivered + totals.dropped + totals.deadLettered + totals.silenced + totals.queued,
    byRecipient: by,
  };
}
