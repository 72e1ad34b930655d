import type { Model } from 'mongoose';
import { bulkWriteChunked } from './bulk-write-chunked';

/**
 * Writes whole documents by _id (insert or replace), for stores that write a batch at a time: a
 * redelivered batch rewrites the same documents instead of adding copies. Inserts first and replaces
 * only the ids already there: FerretDB 1.x (SQLite) scans the collection for a replace or upsert
 * (~100 ms with 100 large documents, growing with the collection) but not for an insert (~10 ms).
 */
export async function replaceAllById<T extends { _id: string }>(model: Model<any>, docs: T[]): Promise<void> {
  if (docs.length === 0) return;
  const existing = new Set<string>();
  try {
    await model.collection.insertMany(docs as never[], { ordered: false });
    return;
  } catch (err) {
    type W = { code?: number; index?: number; err?: { code?: number; index?: number } };
    const e = err as W & { writeErrors?: W[] };
    const errors: W[] = e.writeErrors ?? (e.code !== undefined ? [e] : []);
    if (errors.length === 0 || !errors.every((w) => (w.code ?? w.err?.code) === 11000)) throw err;
    for (const w of errors) {
      const i = w.index ?? w.err?.index;
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
    type W = { code?: number; err?: { code?: number } };
    const e = err as W & { writeErrors?: W[] };
    const errors: W[] = e.writeErrors ?? (e.code !== undefined ? [e] : []);
    if (errors.length > 0 && errors.every((w) => (w.code ?? w.err?.code) === 11000)) return;
    throw err;
  }
}
