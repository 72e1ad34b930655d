import type { Model } from 'mongoose';
import type { SshSource } from '@watchkeeper/contracts';
import type { SshEventDoc } from './ssh-event-model';

/** Event kinds that are login attempts, and the figure each adds to (as in the day statistics). */
const ATTEMPT_KINDS = { failed: 'failed', accepted: 'accepted', invalid_user: 'invalidUser' } as const;

export interface TopSourcesQuery {
  start: Date;
  end: Date;
  /** Only these hosts; all when absent. */
  hosts?: string[];
  limit: number;
  maxTimeMS?: number;
}

/**
 * Top client addresses by login attempts in [start, end), counted from the stored events (each stored
 * once by its event id, so replays change nothing) with the day statistics' rules: `failed` excludes
 * method `none`, every figure is weighted by `count` (`message repeated N times`).
 *
 * Portable on purpose: FerretDB 1.x totals only the first of several `$sum`s in one `$group` and has no
 * `$cond`-in-`$sum` shortcut we could rely on, so the database groups by (address, kind, host) with a
 * single `$sum`, and the per-address rows, their order and the cut are done here. On MongoDB 7 one
 * `$group` with conditional sums plus `$sort`/`$limit` would send fewer rows; the answers are the same.
 */
export async function topSources(events: Model<SshEventDoc>, q: TopSourcesQuery): Promise<{ totalSources: number; sources: SshSource[] }> {
  const match: Record<string, unknown> = {
    time: { $gte: q.start, $lt: q.end },
    kind: { $in: Object.keys(ATTEMPT_KINDS) },
    sourceIp: { $exists: true },
    method: { $ne: 'none' },
  };
  if (q.hosts) match.host = { $in: q.hosts };
  const groups = await events
    .aggregate<{ _id: { ip: string; kind: keyof typeof ATTEMPT_KINDS; host: string }; n: number }>([
      { $match: match },
      { $group: { _id: { ip: '$sourceIp', kind: '$kind', host: '$host' }, n: { $sum: '$count' } } },
    ])
    .option(q.maxTimeMS ? { maxTimeMS: q.maxTimeMS } : {});
  const byIp = new Map<string, SshSource & { hostSet: Set<string> }>();
  for (const g of groups) {
    const field = ATTEMPT_KINDS[g._id.kind];
    if (!field || typeof g._id.ip !== 'string' || g._id.ip === '') continue;
    let row = byIp.get(g._id.ip);
    if (!row) byIp.set(g._id.ip, (row = { sourceIp: g._id.ip, attempts: 0, failed: 0, accepted: 0, invalidUser: 0, hosts: [], hostSet: new Set() }));
    row[field] += g.n;
    row.attempts += g.n;
    row.hostSet.add(g._id.host);
  }
  const rows = [...byIp.values()].filter((r) => r.attempts > 0);
  rows.sort((a, b) => b.attempts - a.attempts || b.failed - a.failed || (a.sourceIp < b.sourceIp ? -1 : a.sourceIp > b.sourceIp ? 1 : 0));
  return {
    totalSources: rows.length,
    sources: rows.slice(0, q.limit).map(({ hostSet, ...r }) => ({ ...r, hosts: [...hostSet].sort() })),
  };
}
