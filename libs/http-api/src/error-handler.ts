import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '@watchkeeper/runtime';
import { HttpError } from './errors';

/** Maps errors that are not HttpErrors (a database outage, …) to an answer; undefined when it does not know them. */
export type ErrorClassifier = (err: unknown) => HttpError | undefined;

/** body-parser / router errors carry a `type` and a 4xx status: the client's fault, answered as such. */
function fromExpress(err: unknown): HttpError | undefined {
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string; expose?: boolean };
  const status = e.status ?? e.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  switch (e.type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'malformed-json', `the body is not valid JSON: ${e.message}`);
    case 'entity.too.large':
      return new HttpError(413, 'payload-too-large', 'the body is larger than this route accepts', undefined, { Connection: 'close' });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported-media-type', e.message ?? 'unsupported encoding');
    case 'request.aborted':
    case 'request.size.invalid':
      return new HttpError(400, 'bad-request', e.message ?? 'the request body was incomplete');
    default:
      return new HttpError(status, status === 404 ? 'not-found' : 'bad-request', e.expose === false ? 'bad request' : (e.message ?? 'bad request'));
  }
}

/**
 * The last middleware: every error becomes `{error, message, details?}`. Client faults are 4xx;
 * what a classifier recognises (e.g. database down → 503) keeps its status; only the unknown is a
 * 500, logged with its stack and answered without internals.
 */
export function jsonErrorHandler(opts: { logger: Logger; classify?: ErrorClassifier }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof HttpError ? err : (opts.classify?.(err) ?? fromExpress(err));
    const httpErr = known ?? new HttpError(500, 'internal-error', 'the server failed to answer; the failure was logged');
    if (!known) opts.logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
    // Load shed answers are counted by the shedder's metric; logging each would add work exactly when overloaded.
    else if (httpErr.status >= 500 && httpErr.code !== 'overloaded') opts.logger.warn({ method: req.method, path: req.path, status: httpErr.status, reason: (err as Error).message }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(httpErr.status).set(httpErr.headers).json(httpErr.toBody());
  };
}

/** Unknown routes and methods: a JSON 404, never express's HTML page. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new HttpError(404, 'not-found', `no route ${req.method} ${req.path}`));
}
