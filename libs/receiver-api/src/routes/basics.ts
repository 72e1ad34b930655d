import { HealthResponse, PingResponse, SCHEMA_VERSION } from '@watchkeeper/contracts';
import { principal } from '../auth';
import type { RouteContext } from '../deps';

export function basicRoutes({ api, host, now }: RouteContext): void {
  api.route({
    method: 'get',
    path: '/v1/health',
    operationId: 'health',
    summary: 'Liveness of the API (no auth)',
    tags: ['basics'],
    responses: { 200: { description: 'the API answers', schema: HealthResponse } },
    handler: async () => ({ status: 200, body: { status: 'ok' } }),
  });

  api.route({
    method: 'post',
    path: '/v1/ping',
    operationId: 'ping',
    summary: 'Check the whole path with a host token; stores nothing',
    tags: ['basics'],
    security: ['hostToken'],
    before: [host],
    responses: { 200: { description: 'the token is valid', schema: PingResponse } },
    handler: async (_input, _req, res) => {
      const p = principal(res);
      return { status: 200, body: { host: p.kind === 'host' ? p.host : '', serverTime: now().toISOString(), schemaVersion: SCHEMA_VERSION } };
    },
  });
}
