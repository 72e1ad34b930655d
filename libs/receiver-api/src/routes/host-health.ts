import { HostHealthList, HostHealthReport, HostHealthSnapshot, HostHealthStored, HostParams } from '@watchkeeper/contracts';
import { errorResponse, notFound } from '@watchkeeper/http-api';
import type { RouteContext } from '../deps';

export function hostHealthRoutes({ api, admin, host, hostHealth, now, changes }: RouteContext): void {
  api.route({
    method: 'put',
    path: '/v1/host-health/:host',
    operationId: 'putHostHealth',
    summary: "Store a host's self-check report as its latest snapshot",
    description:
      "Stamped with the receiver's clock, replaced whole (a reader never sees half), and published to the host-health topic " +
      '(through the outbox: stored even while Kafka is down). Never subject to the code-version gate.',
    tags: ['host-health'],
    security: ['hostToken'],
    before: [host],
    params: HostParams,
    body: HostHealthReport,
    responses: {
      200: { description: 'stored', schema: HostHealthStored },
      403: errorResponse(403),
      413: errorResponse(413),
      415: errorResponse(415),
      503: {
        description:
          'nothing was stored; retry after `Retry-After` seconds. `service-unavailable`: the database is unreachable. `overloaded`: the receiver refuses more than it can serve, ' +
          '`details.reason` says why — `in-flight`, `event-loop-lag`, `queue-time` (the database write would wait too long) or `outbox-backlog` ' +
          '(as many accepted snapshots as `RECEIVER_MAX_OUTBOX_BACKLOG` still wait to be published to Kafka: Kafka is slow or down)',
        headers: { 'Retry-After': 'seconds to wait before retrying' },
      },
    },
    handler: async ({ params, body }) => {
      const s = await hostHealth.save(params.host, body, now());
      changes?.notify('host-health');
      return { status: 200, body: { host: s.host, receivedAt: s.receivedAt } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/host-health',
    operationId: 'listHostHealth',
    summary: "Every host's latest snapshot",
    tags: ['host-health'],
    security: ['adminToken'],
    before: [admin],
    responses: { 200: { description: 'sorted by host', schema: HostHealthList } },
    handler: async () => ({ status: 200, body: { hosts: await hostHealth.all() } }),
  });

  api.route({
    method: 'get',
    path: '/v1/host-health/:host',
    operationId: 'getHostHealth',
    summary: "One host's latest snapshot",
    tags: ['host-health'],
    security: ['adminToken'],
    before: [admin],
    params: HostParams,
    responses: { 200: { description: 'the snapshot', schema: HostHealthSnapshot }, 404: errorResponse(404, 'no snapshot from this host') },
    handler: async ({ params }) => {
      const s = await hostHealth.get(params.host);
      if (!s) throw notFound(`no host-health snapshot from ${params.host}`);
      return { status: 200, body: s };
    },
  });
}
