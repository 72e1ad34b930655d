import type { RequestHandler } from 'express';
import { z } from 'zod';
import {
  AccountingQuery,
  AccountingResponse,
  AlertHistoryQuery,
  AlertHistoryResponse,
  AlertsQuery,
  AlertsResponse,
  DeliveriesQuery,
  SilenceIdParams,
  SilencesQuery,
  DeliveryList,
  ListenersResponse,
  RecipientsResponse,
  Silence,
  SilenceCreateRequest,
  SilenceExpireRequest,
  SilenceList,
} from '@watchkeeper/contracts';
import { errorResponse, type HttpApi } from '@watchkeeper/http-api';
import { callUpstream, type Upstream } from './upstream';

export interface ProxyOptions {
  heartbeatServerUrl: string;
  alertDispatcherUrl: string;
  /** Per upstream request (default 5000 ms). */
  timeoutMs?: number;
}

/** What a route context must offer: the receiver's HttpApi and its admin check. */
export interface ProxyRouteContext {
  api: HttpApi;
  admin: RequestHandler;
}


const upstreamErrors = {
  502: { description: 'the upstream service is unreachable, rejected the shared admin token, or answered outside its contract' },
  504: { description: 'the upstream service did not answer in time' },
};

/**
 * `/v1/proxy/heartbeat/*` and `/v1/proxy/alerts/*`: the heartbeat-server's and alert-dispatcher's
 * read endpoints (plus silence create/expire) behind the receiver's admin token, so the dashboard's
 * browser talks to one origin only. Inputs are validated here, answers against the same contracts
 * the upstream services publish; only named routes pass, never arbitrary paths.
 */
export function dashboardProxyRoutes(opts: ProxyOptions): (ctx: ProxyRouteContext) => void {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const heartbeat: Upstream = { name: 'heartbeat-server', baseUrl: opts.heartbeatServerUrl, timeoutMs };
  const alerts: Upstream = { name: 'alert-dispatcher', baseUrl: opts.alertDispatcherUrl, timeoutMs };

  return ({ api, admin }) => {
    const common = { security: ['adminToken'], before: [admin] };

    api.route({
      ...common,
      method: 'get',
      path: '/v1/proxy/heartbeat/listeners',
      operationId: 'proxyHeartbeatListeners',
      summary: "The heartbeat-server's listeners: state, last seen, round-trip latency history",
      description: 'Forwarded to GET /v1/listeners of the heartbeat-server (HEARTBEAT_SERVER_URL).',
      tags: ['dashboard'],
      query: z.object({ node: z.string().min(1).max(200).optional(), listener: z.string().min(1).max(500).optional() }).strict(),
      responses: { 200: { description: 'as the heartbeat-server answers it', schema: ListenersResponse }, 400: errorResponse(400), ...upstreamErrors },
      handler: async ({ query }, req) => callUpstream(heartbeat, { method: 'GET', path: '/v1/listeners', query, schemas: { 200: ListenersResponse }, authorization: req.headers.authorization }),
    });

    api.route({
      ...common,
      method: 'get',
      path: '/v1/proxy/alerts/alerts',
      operationId: 'proxyAlerts',
      summary: 'Active stateful alerts and recent alert history',
      description: 'Forwarded to GET /v1/alerts of the alert-dispatcher (ALERT_DISPATCHER_URL).',
      tags: ['dashboard'],
      query: AlertsQuery,
      responses: { 200: { description: 'active alerts and the most recent history entries', schema: AlertsResponse }, ...upstreamErrors },
      handler: async ({ query }, req) => callUpstream(alerts, { method: 'GET', path: '/v1/alerts', query, schemas: { 200: AlertsResponse }, authorization: req.headers.authorization }),
    });

    api.route({
      ...common,
      method: 'get',
      path: '/v1/proxy/alerts/history',
      operationId: 'proxyAlertHistory',
      summary: 'Alert history, newest first, filtered (entity, type, severity, category, action, current state, time range); cursor pages',
      description: 'Forwarded to GET /v1/alerts/history of the alert-dispatcher (ALERT_DISPATCHER_URL).',
      tags: ['dashboard'],
      query: AlertHistoryQuery,
      responses: { 200: { description: 'one page of history', schema: AlertHistoryResponse }, ...upstreamErrors },
      handler: async ({ query }, req) => callUpstream(alerts, { method: 'GET', path: '/v1/alerts/history', query, schemas: { 200: AlertHistoryResponse }, authorization: req.headers.authorization }),
    });

    api.route({
      ...common,
      method: 'get',
      path: '/v1/proxy/alerts/silences',
      operationId: 'proxySilences',
      summary: 'Silences (pending and active; expired ones too with expired=true)',
      tags: ['dashboard'],
      query: SilencesQuery,
      responses: { 200: { description: 'the silences', schema: SilenceList }, ...upstreamErrors },
      handler: async ({ query }, req) => callUpstream(alerts, { method: 'GET', path: '/v1/silences', query, schemas: { 200: SilenceList }, authorization: req.headers.authorization }),
    });

    api.route({
      ...common,
      method: 'post',
      path: '/v1/proxy/alerts/silences',
      operationId: 'proxyCreateSilence',
      summary: 'Create a silence (label matchers, start, end, optional weekly window; who and why)',
      tags: ['dashboard'],
      body: SilenceCreateRequest,
      responses: { 201: { description: 'the new silence', schema: Silence }, ...upstreamErrors },
      handler: async ({ body }, req) => callUpstream(alerts, { method: 'POST', path: '/v1/silences', body, schemas: { 201: Silence }, authorization: req.headers.authorization }),
    });

    api.route({
      ...common,
      method: 'post',
      path: '/v1/proxy/alerts/silences/:id/expire',
      operationId: 'proxyExpireSilence',
      summary: 'Expire a silence now (recorded with who and why)',
      tags: ['dashboard'],
      params: SilenceIdParams,
      body: SilenceExpireRequest,
      responses: { 200: { description: 'the expired silence', schema: Silence }, 404: errorResponse(404, 'no silence with this id'), ...upstreamErrors },
      handler: async ({ params, body }, req) =>
        callUpstream(alerts, { method: 'POST', path: `/v1/silences/${encodeURIComponent(params.id)}/expire`, body, schemas: { 200: Silence }, authorization: req.headers.authorization }),
    });

    api.route({
      ...common,
      method: 'get',
      path: '/v1/proxy/alerts/deliveries',
      operationId: 'proxyDeliveries',
      summary: 'Notification delivery outcomes (queued, delivered, dead-lettered), newest first',
      tags: ['dashboard'],
      query: DeliveriesQuery,
      responses: { 200: { description: 'the deliveries', schema: DeliveryList }, ...upstreamErrors },
      handler: async ({ query }, req) => callUpstream(alerts, { method: 'GET', path: '/v1/deliveries', query, schemas: { 200: DeliveryList }, authorization: req.headers.authorization }),
    });

    api.route({
      ...common,
      method: 'get',
      path: '/v1/proxy/alerts/accounting',
      operationId: 'proxyAccounting',
      summary: 'Outcome counts for a time window, per recipient with drops by cause (received = delivered + dropped + dead-lettered + silenced + queued)',
      tags: ['dashboard'],
      query: AccountingQuery,
      responses: { 200: { description: 'the counts (default window: the last hour)', schema: AccountingResponse }, ...upstreamErrors },
      handler: async ({ query }, req) => callUpstream(alerts, { method: 'GET', path: '/v1/accounting', query, schemas: { 200: AccountingResponse }, authorization: req.headers.authorization }),
    });

    api.route({
      ...common,
      method: 'get',
      path: '/v1/proxy/alerts/recipients',
      operationId: 'proxyRecipients',
      summary: 'Recipients with queue depth, capacity, pause and drops since the dispatcher started',
      tags: ['dashboard'],
      responses: { 200: { description: 'the recipients', schema: RecipientsResponse }, ...upstreamErrors },
      handler: async (_input, req) => callUpstream(alerts, { method: 'GET', path: '/v1/recipients', schemas: { 200: RecipientsResponse }, authorization: req.headers.authorization }),
    });
  };
}
