import { createHash, timingSafeEqual } from 'node:crypto';
import type express from 'express';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '@watchkeeper/runtime';
import { docsRouter } from './docs';
import { jsonErrorHandler, notFoundHandler, type ErrorClassifier } from './error-handler';
import { unauthorized } from './errors';
import type { HttpApi } from './http-api';

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or of another scheme. */
export function bearerToken(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m ? m[1] : undefined;
}

/** Equal secrets, in time that does not depend on where they differ (or on their lengths). */
export function tokensEqual(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The admin check of every service: the bearer token must be WATCHKEEPER_ADMIN_TOKEN (401 otherwise). */
export function requireAdminToken(adminToken: string, onAdmin?: (res: express.Response) => void): RequestHandler {
  return (req, res, next) => {
    const token = bearerToken(req);
    if (!token || !tokensEqual(token, adminToken)) return next(unauthorized('an admin bearer token is required (WATCHKEEPER_ADMIN_TOKEN)'));
    onAdmin?.(res);
    next();
  };
}

/**
 * Mounts a declared API the same way in every service: its OpenAPI document at `/openapi.json`, the
 * docs page at `/docs`, the routes, 405 for undeclared methods on declared paths, a JSON 404 for the
 * rest and the one error body for every failure.
 */
export function mountHttpApi(app: express.Express, api: HttpApi, opts: { logger: Logger; title: string; classify?: ErrorClassifier; before?: RequestHandler[] }): void {
  const document = api.openapi();
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(docsRouter({ specUrl: '/openapi.json', title: opts.title }));
  if (opts.before?.length) app.use('/v1', ...opts.before);
  app.use(api.router);
  app.use(api.methodNotAllowed);
  app.use(notFoundHandler());
  app.use(jsonErrorHandler({ logger: opts.logger, classify: opts.classify }));
}
