import type { Model } from 'mongoose';
import { bulkWriteChunked } from './bulk-write-chunked';
import { duplicateKeyIndexes, isDuplicateKey } from './connection';

/**
 * Writes whole documents by _id (insert or replace), for stores that write a batch at a time: a
 * redelivered batch rewrites the same documents instead of adding copies. Inserts first and replaces
 * only the ids already there: FerretDB 1.x (SQLite) scans the collection for a replace or upsert
 * (growing with the collection) but not for an insert.
 */
export async function replaceAllById<T extends { _id: string }>(model: Model<any>, docs: T[]): Promise<void> {
  if (docs.length === 0) return;
  const existing = new Set<string>();
  try {
    await model.collection.insertMany(docs as never[], { ordered: false });
    return;
  } catch (err) {
    const duplicates = duplicateKeyIndexes(err);
    if (!duplicates) throw err;
    for (const i of duplicates) {
      if (i === undefined) return replaceEach(model, docs); // cannot tell which: replace them all
      existing.add(docs[i]._id);
    }
  }
  await replaceEach(
    model,
    docs.filter((d) => existing.has(d._id)),
  );
}

async function replaceEach<T extends { _id: string }>(model: Model<any>, docs: T[]): Promise<void> {
  if (docs.length === 0) return;
  await bulkWriteChunked(
    docs.map((d) => ({ replaceOne: { filter: { _id: d._id } as never, replacement: d as never, upsert: true } })),
    (chunk) => model.collection.bulkWrite(chunk, { ordered: false }),
  );
}

/** Inserts documents, leaving alone any whose _id is already there (an idempotent re-insert). */
export async function insertAllOnce<T extends { _id: string }>(model: Model<any>, docs: T[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await model.collection.insertMany(docs as never[], { ordered: false });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}
