import { alertFingerprint } from '@watchkeeper/contracts';
import { bucketId, type HistoryRecord } from '@watchkeeper/alert-state';
import { DeliveryStore } from '@watchkeeper/delivery-queue';
import type { DispatcherEngine } from '../src';
import { segmentItems } from '../src';
import { alert } from './support';

/**
 * Stored history as the running dispatcher leaves it, written straight through the stores (no Kafka):
 * batches of alerts routed to `hook` (delivered: one digest per batch), `stuck` (still queued) and
 * `full` (dropped at admission), for the bounded-work and migration specs.
 */
export const GROUP = 'wk-test-history-days';
export const RECIPIENTS = { hook: 'hd-hook', stuck: 'hd-stuck', full: 'hd-full' };
const DAY_MS = 86_400_000;

export class HistorySeeder {
  private offset = 0;
  constructor(private readonly engine: DispatcherEngine) {}

  records(at: Date, n: number, partition: number): HistoryRecord[] {
    return Array.from({ length: n }, () => {
      const a = alert({ entity: { kind: 'host', id: `hd-${this.offset % 7}` }, action: 'store', type: 'history-days', severity: 'info', occurredAt: at.toISOString() });
      return {
        eventId: a.id,
        fingerprint: alertFingerprint(a),
        event: a,
        receivedAt: at,
        decision: { notify: true, kind: 'stored', reason: 'stateless' },
        fanout: [
          { recipient: RECIPIENTS.hook, state: 'queued' },
          { recipient: RECIPIENTS.stuck, state: 'queued' },
          { recipient: RECIPIENTS.full, state: 'dropped', cause: 'capacity' },
        ],
        kafka: { partition, offset: String(this.offset++) },
      };
    });
  }

  /** One batch received at `at`, its `hook` copies delivered a second later; returns its id. */
  async batch(at: Date, n: number, partition = 0): Promise<string> {
    const recs = this.records(at, n, partition);
    const id = bucketId(GROUP, partition, recs[0].kafka.offset, at);
    await this.engine.history.saveBatch(id, partition, at, recs);
    await this.engine.store.delivered(segmentItems(recs, RECIPIENTS.hook), `digest-${id}`, new Date(at.getTime() + 1000));
    return id;
  }

  /** `batches` batches spread over the UTC day starting at `day`. */
  async day(day: Date, batches: number, perBatch: number, partition = 0): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < batches; i += 1) ids.push(await this.batch(new Date(day.getTime() + Math.floor(((i + 0.5) * DAY_MS) / batches)), perBatch, partition));
    return ids;
  }

  /** An open queue segment of `stuck` that rebuilds its items from batch `id` (written by reference, as ingest does). */
  async openSegment(id: string, at: Date): Promise<void> {
    const recs = await this.engine.history.loadBucket(id);
    const items = segmentItems(recs, RECIPIENTS.stuck);
    const seg = DeliveryStore.segment(`${id}|${RECIPIENTS.stuck}`, RECIPIENTS.stuck, recs[0].kafka.partition, items, at, { bucket: id, offset: recs[0].kafka.offset, ref: true });
    await this.engine.store.saveChunkSegments([seg]);
  }
}
