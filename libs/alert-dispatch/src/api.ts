import {
  AccountingQuery,
  AccountingResponse,
  AlertsQuery,
  DeliveriesQuery,
  SilenceIdParams,
  SilencesQuery,
  AlertHistoryQuery,
  AlertHistoryResponse,
  AlertsResponse,
  DeadLetterReplayRequest,
  DeadLetterReplayResponse,
  DeliveryList,
  RecipientsResponse,
  SCHEMA_VERSION,
  Silence,
  SilenceCreateRequest,
  SilenceExpireRequest,
  SilenceList,
  type ActiveAlert,
} from '@watchkeeper/contracts';
import { SilenceNotFound } from '@watchkeeper/alert-routing';
import { toHistoryEntry, type AlertState } from '@watchkeeper/alert-state';
import express from 'express';
import helmet from 'helmet';
import { errorResponse, HttpApi, mountHttpApi, notFound, requireAdminToken, serviceUnavailable, type ErrorClassifier } from '@watchkeeper/http-api';
import type { Logger } from '@watchkeeper/runtime';
import { isMongoTimeout, isMongoUnavailable } from '@watchkeeper/mongo';
import { computeAccounting } from './accounting';
import type { DispatcherEngine } from './engine';
import { alertHistoryPage } from './history-query';

const HOUR = 3_600_000;

function activeAlert(s: AlertState): ActiveAlert {
  return {
    fingerprint: s.fingerprint,
    type: s.type,
    entity: s.entity,
    labels: s.labels,
    severity: s.severity,
    ...(s.summary ? { summary: s.summary } : {}),
    source: s.source,
    ...(s.category ? { category: s.category } : {}),
    startsAt: new Date(s.startsAt).toISOString(),
    lastTriggeredAt: new Date(s.lastTriggeredAt).toISOString(),
    lastNotifiedAt: new Date(s.lastNotifiedAt).toISOString(),
    triggerCount: s.triggerCount,
  };
}

/** Outages of the database are 503s (retry later); a silence that is not there is a 404. */
export function dispatcherErrorClassifier(retryAfterSeconds = 5): ErrorClassifier {
  return (err) => {
    if (isMongoUnavailable(err) || isMongoTimeout(err)) return serviceUnavailable('the database is unavailable — retry later', retryAfterSeconds);
    if (err instanceof SilenceNotFound) return notFound(err.message);
    return undefined;
  };
}

/**
 * The /v1 API: silences, deliveries, alerts and their history, accounting, recipients, dead-letter
 * replay — every route behind the admin token. Without an engine it only declares (for the document).
 */
export function dispatcherApi(engine: DispatcherEngine | undefined, opts: { adminToken: string; validateResponses?: boolean }): HttpApi {
  const api = new HttpApi({
    title: 'Watchkeeper alert-dispatcher',
    version: SCHEMA_VERSION,
    description: 'Silences, notification deliveries, alerts and their history, accounting, recipients and dead-letter replay.',
    securitySchemes: { adminToken: { description: 'WATCHKEEPER_ADMIN_TOKEN' } },
    jsonLimit: '256kb',
    validateResponses: opts.validateResponses ?? false,
  });
  const e = () => engine as DispatcherEngine;
  const common = { security: ['adminToken'], before: [requireAdminToken(opts.adminToken)], tags: ['alerts'] };

  api.route({
    ...common,
    method: 'post',
    path: '/v1/silences',
    operationId: 'createSilence',
    summary: 'Create a silence (label matchers, start, end, optional weekly window; who and why)',
    body: SilenceCreateRequest,
    responses: { 201: { description: 'the new silence', schema: Silence } },
    handler: async ({ body }) => {
      const silence = await e().silenceStore.create(body);
      await e().refreshSilences();
      return { status: 201, body: silence };
    },
  });

  api.route({
    ...common,
    method: 'get',
    path: '/v1/silences',
    operationId: 'listSilences',
    summary: 'Silences (pending and active; expired ones too with expired=true)',
    query: SilencesQuery,
    responses: { 200: { description: 'the silences', schema: SilenceList } },
    handler: async ({ query }) => ({ status: 200, body: { silences: await e().silenceStore.list({ includeExpired: query.expired === 'true' }) } }),
  });

  api.route({
    ...common,
    method: 'post',
    path: '/v1/silences/:id/expire',
    operationId: 'expireSilence',
    summary: 'Expire a silence now (recorded with who and why)',
    params: SilenceIdParams,
    body: SilenceExpireRequest,
    responses: { 200: { description: 'the expired silence', schema: Silence }, 404: errorResponse(404, 'no silence with this id') },
    handler: async ({ params, body }) => {
      const s = await e().silenceStore.expire(params.id, body);
      await e().refreshSilences();
      return { status: 200, body: s };
    },
  });

  api.route({
    ...common,
    method: 'get',
    path: '/v1/deliveries',
    operationId: 'listDeliveries',
    summary: 'Notification delivery outcomes (queued, delivered, dead-lettered), newest first',
    query: DeliveriesQuery,
    responses: { 200: { description: 'the deliveries', schema: DeliveryList } },
    handler: async ({ query }) => {
      const deliveries = await e().store.list({
        since: query.since ? new Date(query.since) : new Date(Date.now() - HOUR),
        recipient: query.recipient,
        outcome: query.outcome,
        alertId: query.alertId,
        limit: Math.min(query.limit, 1000),
      });
      return { status: 200, body: { deliveries } };
    },
  });

  api.route({
    ...common,
    method: 'post',
    path: '/v1/deliveries/replay',
    operationId: 'replayDeadLetters',
    summary: 'Queue dead-lettered notifications again (all, one recipient, or given ids)',
    body: DeadLetterReplayRequest,
    responses: { 200: { description: 'how many were queued again', schema: DeadLetterReplayResponse } },
    handler: async ({ body }) => ({ status: 200, body: { replayed: await e().replayDeadLetters({ recipient: body.recipient, ids: body.ids }) } }),
  });

  api.route({
    ...common,
    method: 'get',
    path: '/v1/alerts',
    operationId: 'listAlerts',
    summary: 'Active stateful alerts and the most recent history entries',
    query: AlertsQuery,
    responses: { 200: { description: 'active alerts and recent history', schema: AlertsResponse } },
    handler: async ({ query }) => {
      const [active, recent] = await Promise.all([e().states.active(), e().history.recent(Math.min(query.limit, 1000))]);
      return { status: 200, body: { active: active.map(activeAlert), recent: recent.map(toHistoryEntry) } };
    },
  });

  api.route({
    ...common,
    method: 'get',
    path: '/v1/alerts/history',
    operationId: 'alertHistory',
    summary: 'Alert history, newest first, filtered; cursor pagination over a bounded time range',
    description:
      'Every alert event received in [from, to) (default: the last 24 hours; at most 7 days per query). Filters combine with AND. ' +
      'A page holds at most `limit` entries; when `nextCursor` is not null, ask again with the same filters and `cursor` for older entries.',
    query: AlertHistoryQuery,
    responses: { 200: { description: 'one page of history', schema: AlertHistoryResponse } },
    handler: async ({ query }) => ({ status: 200, body: await alertHistoryPage(e().history, e().states, query) }),
  });

  api.route({
    ...common,
    method: 'get',
    path: '/v1/accounting',
    operationId: 'accounting',
    summary: 'Outcome counts for a time window, per recipient with drops by cause (received = delivered + dropped + dead-lettered + silenced + queued)',
    query: AccountingQuery,
    responses: { 200: { description: 'the counts (default window: the last hour)', schema: AccountingResponse } },
    handler: async ({ query }) => {
      const now = Date.now();
      const from = query.from ? Date.parse(query.from) : undefined;
      const to = query.to ? Date.parse(query.to) : from !== undefined && from >= now ? from + HOUR : now;
      return { status: 200, body: await computeAccounting(e().history, e().store, new Date(from ?? to - HOUR), new Date(to)) };
    },
  });

  api.route({
    ...common,
    method: 'get',
    path: '/v1/recipients',
    operationId: 'listRecipients',
    summary: 'Recipients with queue depth, capacity, pause and drops since the dispatcher started',
    responses: { 200: { description: 'the recipients', schema: RecipientsResponse } },
    handler: async () => {
      const engine = e();
      const recipients = await Promise.all(
        [...engine.routing.recipients.values()].map(async (rc) => {
          const w = engine.workers.get(rc.name);
          const dropped = engine.metrics.droppedByRecipient.get(rc.name) ?? new Map<string, number>();
          return {
            name: rc.name,
            type: rc.config.type,
            queued: await engine.store.depth(rc.name),
            capacity: rc.delivery.capacity,
            ...(w && w.pausedUntil > Date.now() ? { pausedUntil: new Date(w.pausedUntil).toISOString() } : {}),
            droppedSinceStart: Object.fromEntries(dropped),
          };
        }),
      );
      return { status: 200, body: { recipients } };
    },
  });
  return api;
}

/** The whole HTTP app: security headers, the ops routes (given), the API with its document and docs, JSON errors. */
export function dispatcherHttpApp(engine: DispatcherEngine, opts: { adminToken: string; logger: Logger; ops?: express.Router; validateResponses?: boolean }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  if (opts.ops) app.use(opts.ops);
  app.get('/', (_req, res) => {
    res.json({ service: 'watchkeeper-alert-dispatcher', openapi: '/openapi.json', docs: '/docs' });
  });
  mountHttpApi(app, dispatcherApi(engine, opts), { logger: opts.logger, title: 'Watchkeeper alert-dispatcher API', classify: dispatcherErrorClassifier() });
  return app;
}

/** The document served at /openapi.json, without a running service (for docs/openapi-alert-dispatcher.json). */
export function renderDispatcherOpenApiDocument(): string {
  return JSON.stringify(dispatcherApi(undefined, { adminToken: 'x'.repeat(16) }).openapi(), null, 2) + '\n';
}
