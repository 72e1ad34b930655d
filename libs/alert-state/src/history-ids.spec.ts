import { alertDispatcherDayOf } from '@watchkeeper/dal';
import { bucketId, dayOfBucket, redeliveredBucket } from './history-store';

describe('history batch ids and day collections', () => {
  const at = new Date('2026-12-07T23:59:59.999Z');

  it('names the UTC day a batch was first received, and reads it back', () => {
    const id = bucketId('staging.watchkeeper-alert-dispatcher', 3, '42', at);
    expect(id).toBe('staging.watchkeeper-alert-dispatcher:3:00000000000000000042@20261207');
    expect(dayOfBucket(id)).toBe('20261207');
    expect(dayOfBucket('watchkeeper-alert-dispatcher:3:00000000000000000042')).toBeUndefined(); // an earlier release's id
  });

  it('keeps the first attempt’s id (and day) for a redelivery of the same chunk, and only then', () => {
    const pending = { bucketId: bucketId('g', 0, '10', at), firstOffset: '10', lastOffset: '19' };
    expect(redeliveredBucket(pending, '10')).toBe(pending.bucketId);
    expect(redeliveredBucket(pending, '11')).toBeUndefined();
    expect(redeliveredBucket(null, '10')).toBeUndefined();
    expect(redeliveredBucket({ ...pending, bucketId: 'g:0:00000000000000000010' }, '10')).toBeUndefined();
  });

  it('tells the per-day collections from the others', () => {
    expect(alertDispatcherDayOf('alert_history_20261207')).toEqual({ kind: 'batches', day: '20261207' });
    expect(alertDispatcherDayOf('alert_history_counts_20261207')).toEqual({ kind: 'counts', day: '20261207' });
    expect(alertDispatcherDayOf('alert_history_hours_20261207')).toEqual({ kind: 'hours', day: '20261207' });
    expect(alertDispatcherDayOf('delivery_digests_20261207')).toEqual({ kind: 'digests', day: '20261207' });
    for (const other of ['alert_history', 'alert_history_counts', 'delivery_digests', 'alert_history_2026120', 'ssh_raw_20261207']) expect(alertDispatcherDayOf(other)).toBeUndefined();
  });
});
