import type { ErrorBody } from '@watchkeeper/contracts';

/**
 * An error that becomes an HTTP answer as it is: status, machine-readable code, a message for a
 * person, optional details, optional extra headers (Retry-After, Connection: close…).
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return this.details === undefined ? { error: this.code, message: this.message } : { error: this.code, message: this.message, details: this.details };
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new HttpError(400, code, message, details);
export const unauthorized = (message = 'a valid bearer token is required') =>
  new HttpError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer realm="watchkeeper"' });
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const notFound = (message: string) => new HttpError(404, 'not-found', message);
export const conflict = (code: string, message: string, details?: unknown) => new HttpError(409, code, message, details);
export const payloadTooLarge = (message: string, details?: unknown) =>
  // The rest of an oversize body is not read: the connection is closed instead.
  new HttpError(413, 'payload-too-large', message, details, { Connection: 'close' });
export const serviceUnavailable = (message: string, retryAfterSeconds: number) =>
  new HttpError(503, 'service-unavailable', message, undefined, { 'Retry-After': String(retryAfterSeconds) });
