import { Schema, type Connection, type Model } from 'mongoose';
import { PartitionWindows, type SourceWindow, type WindowOptions } from './sliding-windows';

/**
 * The detector's memory of one partition, written after every chunk before its offsets are committed:
 * each address's newest attempts within findtime (at most maxretry of them) and its episode, plus the
 * offset it covers. A restart reads one document per partition and replays only what follows.
 */
export interface WindowSnapshotDoc {
  /** `<consumer group>/<partition>`. */
  _id: string;
  /** Last offset applied; replayed offsets up to it are skipped. */
  offset: string;
  watermark: number;
  sources: Array<{ ip: string; attempts: Array<[number, string, number]>; maxTime: number; touched: number; episode?: [number, number, boolean, number] }>;
  savedAt: Date;
}

const schema = new Schema<WindowSnapshotDoc>(
  { _id: { type: String, required: true }, offset: { type: String, required: true }, watermark: Number, sources: [Schema.Types.Mixed], savedAt: Date },
  { versionKey: false, bufferCommands: false },
);
// No secondary index: read and written by _id only.

export function windowSnapshotModel(conn: Connection, collection = 'ssh_brute_force_windows'): Model<WindowSnapshotDoc> {
  return conn.models[collection] ?? conn.model<WindowSnapshotDoc>(collection, schema, collection);
}

export function toSnapshot(id: string, offset: string, w: PartitionWindows, savedAt: Date): WindowSnapshotDoc {
  const sources: WindowSnapshotDoc['sources'] = [];
  for (const [ip, s] of w.sources) {
    const ep = s.episode;
    sources.push({ ip, attempts: s.attempts.map((a) => [a.t, a.id, a.n]), maxTime: s.maxTime, touched: s.touched, ...(ep ? { episode: [ep.since, ep.last, ep.live, ep.bucket] as [number, number, boolean, number] } : {}) });
  }
  return { _id: id, offset, watermark: w.watermark, sources, savedAt };
}

export function fromSnapshot(doc: WindowSnapshotDoc, opts: WindowOptions): PartitionWindows {
  const sources = doc.sources.map((s): [string, SourceWindow] => [
    s.ip,
    {
      attempts: s.attempts.map(([t, id, n]) => ({ t, id, n })),
      maxTime: s.maxTime,
      touched: s.touched,
      ...(s.episode ? { episode: { since: s.episode[0], last: s.episode[1], live: s.episode[2], bucket: s.episode[3] } } : {}),
    },
  ]);
  return new PartitionWindows(opts, { watermark: doc.watermark, sources });
}
