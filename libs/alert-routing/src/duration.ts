/** "250ms", "30s", "5m", "4h", "1d" or a plain number of milliseconds → milliseconds; NaN when unreadable. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : NaN;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(input);
  if (!m) return NaN;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(Number(m[1]) * unit);
}
