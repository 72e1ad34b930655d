const KEEP_MS = 24 * 3600_000;

/**
 * Failed attempts per address from the events this process applied, kept for a day of event time:
 * what the brute-force detector asks, answered without reading stored history. Starts empty after a
 * restart (the detector's stream replacement keeps its own windows).
 */
export class RecentFailures {
  private readonly byIp = new Map<string, Array<[t: number, n: number]>>();

  add(ip: string, t: number, n: number): void {
    let list = this.byIp.get(ip);
    if (!list) this.byIp.set(ip, (list = []));
    list.push([t, n]);
    if (list.length > 64) {
      const newest = Math.max(...list.map((x) => x[0]));
      this.byIp.set(ip, list.filter((x) => x[0] >= newest - KEEP_MS));
    }
    if (this.byIp.size > 100_000) this.byIp.delete(this.byIp.keys().next().value as string);
  }

  count(ip: string, from: number, to: number): number {
    let n = 0;
    for (const [t, c] of this.byIp.get(ip) ?? []) if (t >= from && t <= to) n += c;
    return n;
  }

  last(ip: string): number | undefined {
    const list = this.byIp.get(ip);
    return list && list.length > 0 ? Math.max(...list.map((x) => x[0])) : undefined;
  }
}
