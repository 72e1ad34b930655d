import express from 'express';
import helmet from 'helmet';
import { SCHEMA_VERSION } from '@watchkeeper/contracts';
import { docsRouter, HttpApi, jsonErrorHandler, notFoundHandler, type LoadShedder } from '@watchkeeper/http-api';
import { requireAdmin, requireHost } from './auth';
import { receiverErrorClassifier } from './classify-errors';
import type { ReceiverDeps, RouteContext } from './deps';
import { artifactRoutes } from './routes/artifacts';
import { eventRoutes } from './routes/events';
import { basicRoutes } from './routes/basics';
import { fleetRoutes } from './routes/fleet';
import { hostHealthRoutes } from './routes/host-health';
import { hostRoutes } from './routes/hosts';
import { versionGateRoutes } from './routes/version-gate';
import { sshLoginRoutes } from './routes/ssh-logins';
import { tokenRoutes } from './routes/tokens';

export interface ReceiverHttpOptions {
  jsonLimit?: string;
  validateResponses?: boolean;
  retryAfterSeconds?: number;
  /** More route declarations (the dashboard's proxy), validated, served and documented like the rest. */
  extraRoutes?: Array<(ctx: RouteContext) => void>;
  /** Mounted ahead of the JSON index at `/` (the dashboard's pages). */
  pages?: express.RequestHandler;
  /** Refuses API requests beyond what the service can serve (mounted ahead of the API routes). */
  shedder?: LoadShedder;
}

/** The receiver's API declared once; also usable without stores, to render the OpenAPI document. */
export function receiverApi(deps: ReceiverDeps, opts: ReceiverHttpOptions = {}): HttpApi {
  const api = new HttpApi({
    title: 'Watchkeeper receiver',
    version: SCHEMA_VERSION,
    description: "The fleet's HTTP ingress and query API: host tokens, host health, artifacts, SSH statistics, fleet health.",
    securitySchemes: {
      adminToken: { description: 'WATCHKEEPER_ADMIN_TOKEN' },
      hostToken: { description: 'a host token from POST /v1/hosts/{host}/tokens; acts only for its own host' },
    },
    jsonLimit: opts.jsonLimit ?? '1mb',
    validateResponses: opts.validateResponses ?? false,
  });
  const ctx: RouteContext = {
    ...deps,
    api,
    admin: requireAdmin(deps.adminToken),
    host: requireHost(deps.tokens, deps.requestLog, deps.now),
  };
  basicRoutes(ctx);
  tokenRoutes(ctx);
  hostHealthRoutes(ctx);
  artifactRoutes(ctx);
  versionGateRoutes(ctx);
  hostRoutes(ctx);
  sshLoginRoutes(ctx);
  fleetRoutes(ctx);
  eventRoutes(ctx);
  for (const add of opts.extraRoutes ?? []) add(ctx);
  return api;
}

/** The whole HTTP app: security headers, ops endpoints (given), the API, its document and docs, JSON errors. */
export function receiverHttpApp(deps: ReceiverDeps, ops: express.Router, opts: ReceiverHttpOptions = {}): express.Express {
  const api = receiverApi(deps, opts);
  const document = api.openapi();
  const app = express();
  app.disable('x-powered-by');
  const security = helmet();
  // The hot route (every host, every few seconds) is matched first, with exactly what it gets below
  // (security headers, the load shedder, its declared chain), without walking the ops, pages and docs
  // routers and every other API route before it. Its errors reach the same JSON error handler.
  app.put('/v1/host-health/:host', security, ...(opts.shedder ? [opts.shedder.middleware()] : []), ...api.handlers('putHostHealth'));
  app.use(security);
  app.use(ops);
  if (opts.pages) app.use(opts.pages);
  app.get('/', (_req, res) => {
    res.json({ service: 'watchkeeper-receiver', openapi: '/openapi.json', docs: '/docs' });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(docsRouter({ specUrl: '/openapi.json', title: 'Watchkeeper receiver API' }));
  if (opts.shedder) app.use('/v1', opts.shedder.middleware());
  app.use(api.router);
  app.use(api.methodNotAllowed);
  app.use(notFoundHandler());
  app.use(jsonErrorHandler({ logger: deps.logger, classify: receiverErrorClassifier(opts.retryAfterSeconds ?? 5) }));
  return app;
}
