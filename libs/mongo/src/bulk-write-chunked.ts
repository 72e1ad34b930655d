/**
 * FerretDB 1.24 on SQLite never answers an update command with 100 or more statements that match
 * stored documents (measured: 99 replaces in one bulk write took 0.4 s, 100 hung past any time-out,
 * and the server then held its write lock; 150 upserts that only create documents pass), so bulk
 * updates go in chunks well below that. Costs nothing measurable on MongoDB.
 */
export const MAX_BULK_UPDATES = 50;

/** Runs `write` on consecutive chunks of `ops`, one after the other; returns the sum of matchedCount. */
export async function bulkWriteChunked<Op>(ops: Op[], write: (chunk: Op[]) => Promise<{ matchedCount?: number }>, size = MAX_BULK_UPDATES): Promise<number> {
  let matched = 0;
  for (let i = 0; i < ops.length; i += size) matched += (await write(ops.slice(i, i + size))).matchedCount ?? 0;
  return matched;
}
