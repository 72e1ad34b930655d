/**
 * The database cannot be reached (no server selected, connection lost or closed): a transient
 * outage the caller should answer with 503 and retry later, not a bug.
 */
export function isMongoUnavailable(err: unknown): boolean {
  const name = (err as { name?: string })?.name ?? '';
  if (/^Mongo(ose)?(ServerSelection|Network|NetworkTimeout|NotConnected|TopologyClosed|PoolCleared|ServerClosed)Error$/.test(name)) return true;
  // A raw socket error from inside the driver (e.g. EPIPE when the server went away mid-write).
  const e = err as { code?: string; stack?: string };
  if (typeof e?.code === 'string' && /^(EPIPE|ECONNRESET|ECONNREFUSED|ETIMEDOUT)$/.test(e.code) && /[\\/]mongodb[\\/]/.test(e.stack ?? '')) return true;
  // Bulk writes wrap the network error they met.
  const cause = (err as { cause?: unknown; errorResponse?: unknown })?.cause;
  return cause !== undefined && cause !== err && isMongoUnavailable(cause);
}
