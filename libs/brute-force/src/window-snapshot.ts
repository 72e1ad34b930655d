import type { WindowSnapshotDoc } from '@watchkeeper/dal/receiver';
import { PartitionWindows, type SourceWindow, type WindowOptions } from './sliding-windows';

/**
 * Most addresses one snapshot keeps (≈ 0.5 kB each): far below MongoDB's 16 MB document limit. Beyond
 * it (a botnet's thousands of addresses within findtime) the ones with an open episode and the most
 * attempts are kept; the rest stay in memory but a restart forgets them (`dropped` says how many).
 */
export const MAX_SNAPSHOT_SOURCES = 20_000;

export function toSnapshot(id: string, offset: string, w: PartitionWindows, savedAt: Date, max = MAX_SNAPSHOT_SOURCES): WindowSnapshotDoc & { dropped: number } {
  let entries = [...w.sources];
  const dropped = Math.max(0, entries.length - max);
  if (dropped > 0) {
    const weight = (s: SourceWindow) => (s.episode ? 1e9 : 0) + s.attempts.reduce((n, a) => n + a.n, 0);
    entries = entries.sort((a, b) => weight(b[1]) - weight(a[1]) || b[1].maxTime - a[1].maxTime).slice(0, max);
  }
  const sources: WindowSnapshotDoc['sources'] = entries.map(([ip, s]) => ({ ip, attempts: s.attempts.map((a) => ({ ...a })), maxTime: s.maxTime, touched: s.touched, ...(s.episode ? { episode: { ...s.episode } } : {}) }));
  return { _id: id, offset, watermark: w.watermark, sources, savedAt, dropped };
}

export function fromSnapshot(doc: WindowSnapshotDoc, opts: WindowOptions): PartitionWindows {
  const sources = doc.sources.map((s): [string, SourceWindow] => [
    s.ip,
    {
      attempts: s.attempts.map(({ t, id, n }) => ({ t, id, n })),
      maxTime: s.maxTime,
      touched: s.touched,
      ...(s.episode ? { episode: { since: s.episode.since, last: s.episode.last, live: s.episode.live, bucket: s.episode.bucket } } : {}),
    },
  ]);
  return new PartitionWindows(opts, { watermark: doc.watermark, sources });
}
