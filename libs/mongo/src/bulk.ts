import type { Model, mongo } from 'mongoose';
import { bulkWriteChunked } from './bulk-write-chunked';
import { duplicateKeyIndexes, isDuplicateKey } from './connection';

/** What both take: a model's collection or the driver's (the SSH store's collections have no model). */
type IdCollection = Pick<mongo.Collection<any>, 'insertMany' | 'bulkWrite'>;

const collectionOf = (target: Model<any> | IdCollection): IdCollection => ('modelName' in target ? (target.collection as unknown as IdCollection) : target);

/**
 * Writes whole documents by _id (insert or replace), for stores that write a batch at a time: a
 * redelivered batch rewrites the same documents instead of adding copies. Inserts first and replaces
 * only the ids already there: FerretDB 1.x (SQLite) scans the collection for a replace or upsert
 * (growing with the collection) but not for an insert.
 */
export async function replaceAllById<T extends { _id: string }>(target: Model<any> | IdCollection, docs: T[]): Promise<void> {
  if (docs.length === 0) return;
  const coll = collectionOf(target);
  const existing = new Set(await insertReportingDuplicates(coll, docs));
  await bulkWriteChunked(
    docs.filter((d) => existing.has(d._id)).map((d) => ({ replaceOne: { filter: { _id: d._id } as never, replacement: d as never, upsert: true } })),
    (chunk) => coll.bulkWrite(chunk, { ordered: false }),
  );
}

/** Inserts documents (unordered); returns the ids that were already there (all of them when the error does not say which). */
export async function insertReportingDuplicates<T extends { _id: string }>(target: Model<any> | IdCollection, docs: T[]): Promise<string[]> {
  try {
    await collectionOf(target).insertMany(docs as never[], { ordered: false });
    return [];
  } catch (err) {
    const duplicates = duplicateKeyIndexes(err);
    if (!duplicates) throw err;
    const ids: string[] = [];
    for (const i of duplicates) {
      if (i === undefined) return docs.map((d) => d._id); // cannot tell which: all of them
      ids.push(docs[i]._id);
    }
    return ids;
  }
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
