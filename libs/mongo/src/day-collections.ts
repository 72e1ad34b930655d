import type { mongo } from 'mongoose';

/** `yyyymmdd`: the UTC day of a time, sortable as text (the suffix of per-day collections). */
export const utcDayKey = (t: Date | number): string => new Date(t).toISOString().slice(0, 10).replaceAll('-', '');

/** The database's collection names: one listCollections (bounded by how many collections there are, not by their documents). */
export async function collectionNames(db: mongo.Db): Promise<string[]> {
  return (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
}
