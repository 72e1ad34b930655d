/** Waiting notifications of one recipient, in total and by source (entity) and alert type. */
export interface Occupancy {
  total: number;
  bySource: Map<string, number>;
  byType: Map<string, number>;
}

export const emptyOccupancy = (): Occupancy => ({ total: 0, bySource: new Map(), byType: new Map() });

/** Why admission refuses a notification (the `cause` of a dropped outcome). */
export const ADMISSION_DROP_CAUSES = ['queue-full', 'source-quota', 'type-quota'] as const;
export type AdmissionDropCause = (typeof ADMISSION_DROP_CAUSES)[number];

export type Admission = { admitted: true; fairRank: number } | { admitted: false; cause: AdmissionDropCause };

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

/** Per-recipient occupancy kept in memory between re-reads from the queue (admission must not scan the queue per batch). */
export class OccupancyBook {
  private byRecipient = new Map<string, Occupancy>();

  of(recipient: string): Occupancy {
    let o = this.byRecipient.get(recipient);
    if (!o) this.byRecipient.set(recipient, (o = emptyOccupancy()));
    return o;
  }

  replace(next: Map<string, Occupancy>): void {
    this.byRecipient = next;
  }

  /** Items joined (+1) or left (-1) a recipient's queue. */
  adjust(items: Array<{ recipient: string; source: string; type: string }>, delta: 1 | -1): void {
    for (const i of items) {
      const o = this.of(i.recipient);
      o.total = Math.max(0, o.total + delta);
      o.bySource.set(i.source, Math.max(0, (o.bySource.get(i.source) ?? 0) + delta));
      o.byType.set(i.type, Math.max(0, (o.byType.get(i.type) ?? 0) + delta));
    }
  }
}
