/** Waiting notifications of one recipient, in total and by source (entity) and alert type. */
export interface Occupancy {
  total: number;
  bySource: Map<string, number>;
  byType: Map<string, number>;
}

export const emptyOccupancy = (): Occupancy => ({ total: 0, bySource: new Map(), byType: new Map() });

export type Admission = { admitted: true; fairRank: number } | { admitted: false; cause: 'queue-full' | 'source-quota' | 'type-quota' };

/**
 * Bounded queue with per-source quotas: one entity or one alert type can fill only its share, so a
 * flood is dropped (and counted) at its quota while quiet sources still get in.
 * The fair rank is the item's position among its source's waiting items; serving in rank order
 * interleaves sources round-robin, so a quiet source's alert waits behind at most one item per other source.
 */
export function admit(occ: Occupancy, source: string, type: string, limits: { capacity: number; perSourceQuota: number; perTypeQuota: number }): Admission {
  const bySource = occ.bySource.get(source) ?? 0;
  const byType = occ.byType.get(type) ?? 0;
  if (bySource >= limits.perSourceQuota) return { admitted: false, cause: 'source-quota' };
  if (byType >= limits.perTypeQuota) return { admitted: false, cause: 'type-quota' };
  if (occ.total >= limits.capacity) return { admitted: false, cause: 'queue-full' };
  occ.total += 1;
  occ.bySource.set(source, bySource + 1);
  occ.byType.set(type, byType + 1);
  return { admitted: true, fairRank: Math.max(bySource, byType) + 1 };
}
