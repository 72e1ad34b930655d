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
  return innerErrors(err).some(isMongoUnavailable);
}

/**
 * The driver's operation timeout (`timeoutMS`) or the server's maxTimeMS (code 50): the database did
 * not answer in time. A write may still land later, so only an idempotent write may be retried.
 */
export function isMongoTimeout(err: unknown): boolean {
  const e = err as { name?: string; code?: number; codeName?: string } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'MongoOperationTimeoutError' || e.code === 50 || e.codeName === 'MaxTimeMSExpired') return true;
  return innerErrors(err).some(isMongoTimeout);
}

/** Bulk writes wrap the error they met: as `cause`, or as the server's `errorResponse`. */
function innerErrors(err: unknown): unknown[] {
  const e = err as { cause?: unknown; errorResponse?: unknown } | undefined;
  if (!e || typeof e !== 'object') return [];
  return [e.cause, e.errorResponse].filter((inner) => inner !== undefined && inner !== err);
}
