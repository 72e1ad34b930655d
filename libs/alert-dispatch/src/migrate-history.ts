import type { Connection } from 'mongoose';
import { COLLECTIONS } from '@watchkeeper/dal';
import { deliverySegmentModel, type DigestLog, type HistoryBucketDoc } from '@watchkeeper/dal/alert-dispatcher';
import { AlertHistoryStore, recordsOf } from '@watchkeeper/alert-state';
import { DeliveryStore } from '@watchkeeper/delivery-queue';
import { bulkWriteChunked, collectionNames, insertReportingDuplicates, utcDayKey } from '@watchkeeper/mongo';

export interface MigrateHistoryResult {
  batches: number;
  digests: number;
  /** Open queue segments and pending marks that named a moved batch. */
  segments: number;
  pending: number;
}

/**
 * `watchkeeper-alert-dispatcher migrate-history`: what releases before per-day collections kept in
 * single collections, moved into the day collections. Each batch goes to the UTC day it was received
 * (its id gains that day, `…@yyyymmdd`) with its counts, listed again under the hours its records
 * hold; open queue segments and pending marks that named it name its new id; the delivery log goes to
 * the day of each delivery. The old collections are dropped last. Idempotent: a run stopped halfway
 * is done again whole (every write is by `_id`), and a second run finds nothing to move. Run it with
 * the dispatchers stopped: it rewrites references that a running dispatcher writes too.
 */
export async function migrateHistory(conn: Connection, onProgress: (moved: number) => void = () => undefined): Promise<MigrateHistoryResult> {
  const history = new AlertHistoryStore(conn);
  const names = new Set(await collectionNames(conn.db!));
  const renamed = new Map<string, string>();
  if (names.has(COLLECTIONS.alertDispatcher.alertHistory)) {
    // One pass over the old collection (FerretDB scans it for every read: no read per batch).
    for await (const doc of conn.db!.collection<HistoryBucketDoc>(COLLECTIONS.alertDispatcher.alertHistory).find({}).batchSize(50)) {
      const id = `${doc._id}@${utcDayKey(doc.receivedAt)}`;
      await history.saveBatch(id, doc.partition, new Date(doc.receivedAt), recordsOf(doc));
      renamed.set(doc._id, id);
      if (renamed.size % 500 === 0) onProgress(renamed.size);
    }
  }
  const segments = await renameSegmentBuckets(conn, renamed);
  const pending = await renamePending(history, renamed);
  const digests = names.has(COLLECTIONS.alertDispatcher.deliveryDigests) ? await moveDigests(conn) : 0;
  for (const name of [COLLECTIONS.alertDispatcher.alertHistory, COLLECTIONS.alertDispatcher.alertHistoryCounts, COLLECTIONS.alertDispatcher.alertHistoryHours, COLLECTIONS.alertDispatcher.deliveryDigests]) {
    if (names.has(name)) await conn.db!.dropCollection(name);
  }
  return { batches: renamed.size, digests, segments, pending };
}

async function renameSegmentBuckets(conn: Connection, renamed: Map<string, string>): Promise<number> {
  if (renamed.size === 0) return 0;
  const segs = deliverySegmentModel(conn);
  const docs = (await segs.find({ ref: true }, { bucket: 1 }).lean()).filter((d) => d.bucket && renamed.has(d.bucket));
  await bulkWriteChunked(
    docs.map((d) => ({ updateOne: { filter: { _id: d._id as never }, update: { $set: { bucket: renamed.get(d.bucket!)! } } } })),
    (chunk) => segs.collection.bulkWrite(chunk, { ordered: false }),
  );
  return docs.length;
}

async function renamePending(history: AlertHistoryStore, renamed: Map<string, string>): Promise<number> {
  let n = 0;
  for (const p of await history.progress.find({}).lean()) {
    const to = p.pending ? renamed.get(p.pending.bucketId) : undefined;
    if (!to) continue;
    await history.progress.updateOne({ _id: p._id }, { $set: { 'pending.bucketId': to } });
    n += 1;
  }
  return n;
}

/** The delivery log, each digest to the day of its delivery (same id: a second run inserts nothing new). */
async function moveDigests(conn: Connection): Promise<number> {
  const store = new DeliveryStore(conn);
  let n = 0;
  let batch: DigestLog[] = [];
  const flush = async () => {
    const byDay = new Map<string, DigestLog[]>();
    for (const d of batch) byDay.set(utcDayKey(d.at), [...(byDay.get(utcDayKey(d.at)) ?? []), d]);
    for (const [day, docs] of byDay) await insertReportingDuplicates(store.digests(day), docs);
    n += batch.length;
    batch = [];
  };
  for await (const d of conn.db!.collection<DigestLog>(COLLECTIONS.alertDispatcher.deliveryDigests).find({}).batchSize(100)) {
    batch.push(d);
    if (batch.length >= 100) await flush();
  }
  await flush();
  return n;
}
