import { z } from 'zod';
import { ListenersResponse, SCHEMA_VERSION } from '@watchkeeper/contracts';
import type { HeartbeatMonitor } from '@watchkeeper/heartbeat';
import { HttpApi } from '@watchkeeper/http-api';

/** GET /v1/listeners[?node=N&listener=ID]: every listener with state, last seen and latency history. */
export function heartbeatApi(monitor: HeartbeatMonitor | undefined, opts: { validateResponses?: boolean } = {}): HttpApi {
  const api = new HttpApi({
    title: 'Watchkeeper heartbeat-server',
    version: SCHEMA_VERSION,
    description: 'Listener status as the heartbeat monitor sees it (read by the dashboard and the Nagios check).',
    validateResponses: opts.validateResponses ?? false,
    // Answered from memory: no database behind it.
    mayBeUnavailable: false,
  });
  api.route({
    method: 'get',
    path: '/v1/listeners',
    operationId: 'listListeners',
    summary: 'Every listener with state, last seen and round-trip latency history',
    tags: ['heartbeat'],
    query: z.object({ node: z.string().min(1).max(200).optional(), listener: z.string().min(1).max(500).optional() }).strict(),
    // Validated on the way out too: the dashboard and the Nagios check rely on this shape.
    responses: { 200: { description: 'the listeners, optionally of one node or one listener', schema: ListenersResponse } },
    handler: async ({ query }) => ({ status: 200, body: ListenersResponse.parse(monitor!.view(query)) }),
  });
  return api;
}

/** The document served at /openapi.json (for docs/openapi-heartbeat-server.json). */
export function renderHeartbeatOpenApiDocument(): string {
  return JSON.stringify(heartbeatApi(undefined).openapi(), null, 2) + '\n';
}
