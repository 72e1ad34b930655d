import { NameConflict, ShaMismatch, TooLarge } from '@watchkeeper/artifact-store';
import { badRequest, conflict, HttpError, payloadTooLarge, serviceUnavailable, type ErrorClassifier } from '@watchkeeper/http-api';
import { isMongoTimeout, isMongoUnavailable } from '@watchkeeper/mongo';
import { QueueTimeout } from '@watchkeeper/host-health-store';
import { TooManyTokens } from '@watchkeeper/receiver-auth';

/** Domain errors and outages → HTTP answers (everything else unknown is a 500, logged). */
export function receiverErrorClassifier(retryAfterSeconds: number): ErrorClassifier {
  return (err) => {
    if (isMongoUnavailable(err)) return serviceUnavailable('the database is unavailable; nothing was stored — retry later', retryAfterSeconds);
    // The database did not answer within RECEIVER_DB_TIMEOUT_MS. A write may still land later; every
    // write here is idempotent (a replace, or keyed by id), so the retry is safe.
    if (isMongoTimeout(err)) return serviceUnavailable('the database did not answer in time — retry later (a retry is safe)', retryAfterSeconds);
    // Waited for the database past the queue-time budget: refused before anything was written.
    if (err instanceof QueueTimeout) return new HttpError(503, 'overloaded', `the service is overloaded; ${err.message} — retry after the given seconds`, { reason: 'queue-time' }, { 'Retry-After': '1' });
    if (err instanceof TooLarge) return payloadTooLarge(err.message, { maxBytes: err.maxBytes });
    if (err instanceof ShaMismatch) return badRequest('sha-mismatch', `${err.message}; nothing was kept`, { expected: err.expected, actual: err.actual });
    if (err instanceof NameConflict) return conflict('name-conflict', err.message, { existingSha256: err.existingSha256 });
    if (err instanceof TooManyTokens) return conflict('too-many-tokens', err.message);
    const code = (err as { code?: string }).code;
    // The client went away mid-upload: nothing was kept; there is nobody left to answer.
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNABORTED') return new HttpError(400, 'request-aborted', 'the upload was interrupted; nothing was kept');
    return undefined;
  };
}

