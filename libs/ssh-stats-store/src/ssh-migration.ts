import type { Connection } from 'mongoose';
import type { SshEvent } from '@watchkeeper/contracts';
import { eventOfLegacyDoc, legacyEventsCollection } from './ssh-event-model';
import type { SshEventStore } from './ssh-event-store';

/** The journal source of the migration: its offsets are positions in the legacy collection's natural order. */
export const MIGRATION_SOURCE = { topic: 'migrate:ssh_events', partition: -2 } as const;

/**
 * Builds the day states, PID days and raw events from the legacy `ssh_events` collection: one pass
 * (a single cursor; no query per event), in chunks applied like consumed batches. Idempotent: the
 * journal records how far it got, so a second run (or one after a crash) skips what is done, and an
 * event the consumer stored too is recognised by its id. The legacy collection is left in place.
 */
export async function migrateLegacySshEvents(legacy: Connection, store: SshEventStore, opts: { chunk?: number; onProgress?: (read: number, applied: number) => void } = {}): Promise<{ read: number; applied: number }> {
  const chunkSize = opts.chunk ?? 2000;
  let read = 0;
  let applied = 0;
  let chunk: Array<{ offset: string; value: SshEvent }> = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    applied += (await store.applyBatch(MIGRATION_SOURCE, chunk)).applied.length;
    chunk = [];
    opts.onProgress?.(read, applied);
  };
  // Natural order: the same on every run over an unchanged collection (nothing writes it any more).
  for await (const doc of legacyEventsCollection(legacy).find({}, { batchSize: chunkSize })) {
    chunk.push({ offset: String(read++), value: eventOfLegacyDoc(doc) });
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  return { read, applied };
}
