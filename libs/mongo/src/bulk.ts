import type { Model } from 'mongoose';

/**
 * Writes whole documents by _id in one round trip (insert or replace), for stores that write a batch
 * at a time: a redelivered batch rewrites the same documents instead of adding copies.
 */
export async function replaceAllById<T extends { _id: string }>(model: Model<any>, docs: T[]): Promise<void> {
  if (docs.length === 0) return;
  await model.collection.bulkWrite(
    docs.map((d) => ({ replaceOne: { filter: { _id: d._id } as never, replacement: d as never, upsert: true } })),
    { ordered: false },
  );
}

/** Inserts documents, leaving alone any whose _id is already there (an idempotent re-insert). */
export async function insertAllOnce<T extends { _id: string }>(model: Model<any>, docs: T[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await model.collection.insertMany(docs as never[], { ordered: false });
  } catch (err) {
    type W = { code?: number; err?: { code?: number } };
    const e = err as W & { writeErrors?: W[] };
    const errors: W[] = e.writeErrors ?? (e.code !== undefined ? [e] : []);
    if (errors.length > 0 && errors.every((w) => (w.code ?? w.err?.code) === 11000)) return;
    throw err;
  }
}
