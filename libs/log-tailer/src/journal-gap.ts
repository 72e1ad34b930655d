/**
 * What a journal cursor says about its entry (systemd's cursor text: `s=<seqnum id>;i=<seqnum, hex>;
 * b=<boot id>;m=<monotonic, hex>;t=<realtime µs, hex>;x=<hash>`), and the gap between a saved cursor
 * whose entry is gone (vacuumed, or its file removed) and the first entry still there.
 */
export interface CursorFields {
  seqnumId: string | undefined;
  seqnum: bigint | undefined;
  realtimeUs: bigint | undefined;
}

export function cursorFields(cursor: string): CursorFields {
  const f = new Map<string, string>();
  for (const part of cursor.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) f.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return { seqnumId: f.get('s'), seqnum: hex(f.get('i')), realtimeUs: hex(f.get('t')) };
}

function hex(v: string | undefined): bigint | undefined {
  return v && /^[0-9a-f]+$/i.test(v) ? BigInt(`0x${v}`) : undefined;
}

/** Entries that were in the journal after the saved cursor and are gone: lost before they were read. */
export interface JournalGap {
  /** The checkpointed cursor (its entry is no longer in the journal). */
  savedCursor: string;
  /** The first entry still there after it: reading resumes with this one. */
  resumedAt: string;
  /** Journal time of the saved entry and of the first one still there (µs since the epoch); the loss lies between. */
  fromRealtimeUs: string | undefined;
  toRealtimeUs: string | undefined;
  /**
   * At most this many entries of any program were lost (from the sequence numbers, when both entries
   * share a sequence-number id); undefined when the journal cannot tell.
   */
  entriesAtMost: number | undefined;
}

export function journalGap(savedCursor: string, resumedAt: string, resumedRealtimeUs: string): JournalGap {
  const a = cursorFields(savedCursor);
  const b = cursorFields(resumedAt);
  const sameSequence = a.seqnumId !== undefined && a.seqnumId === b.seqnumId && a.seqnum !== undefined && b.seqnum !== undefined;
  const between = sameSequence ? b.seqnum! - a.seqnum! - 1n : undefined;
  return {
    savedCursor,
    resumedAt,
    fromRealtimeUs: a.realtimeUs?.toString(),
    toRealtimeUs: resumedRealtimeUs,
    entriesAtMost: between !== undefined && between >= 0n ? Number(between) : undefined,
  };
}
