import type { SshSource } from '@watchkeeper/contracts';

/** One host-day's attempts per address: [address, failed, accepted, invalidUser]. */
export interface HostDayAttempts {
  host: string;
  attempts: Array<[string, number, number, number]>;
}

/**
 * Top client addresses by login attempts from per-host, per-day attempt counts (failed excludes
 * method `none`; every figure weighted by `count`): summed per address, most attempts first (then
 * most failed, then address), cut at `limit`; `totalSources` counts every address with an attempt.
 */
export function rankSources(days: Iterable<HostDayAttempts>, limit: number): { totalSources: number; sources: SshSource[] } {
  const byIp = new Map<string, SshSource & { hostSet: Set<string> }>();
  for (const d of days) {
    for (const [ip, failed, accepted, invalidUser] of d.attempts) {
      let row = byIp.get(ip);
      if (!row) byIp.set(ip, (row = { sourceIp: ip, attempts: 0, failed: 0, accepted: 0, invalidUser: 0, hosts: [], hostSet: new Set() }));
      row.failed += failed;
      row.accepted += accepted;
      row.invalidUser += invalidUser;
      row.attempts += failed + accepted + invalidUser;
      row.hostSet.add(d.host);
    }
  }
  const rows = [...byIp.values()].filter((r) => r.attempts > 0);
  rows.sort((a, b) => b.attempts - a.attempts || b.failed - a.failed || (a.sourceIp < b.sourceIp ? -1 : a.sourceIp > b.sourceIp ? 1 : 0));
  return {
    totalSources: rows.length,
    sources: rows.slice(0, limit).map(({ hostSet, ...r }) => ({ ...r, hosts: [...hostSet].sort() })),
  };
}
