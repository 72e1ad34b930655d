import { HostParams, HostRetired, RetiredHostList } from '@watchkeeper/contracts';
import type { RouteContext } from '../deps';

export function hostRoutes({ api, admin, tokens, hostHealth, requestLog, sshEvents, changes, logger, now }: RouteContext): void {
  api.route({
    method: 'delete',
    path: '/v1/hosts/:host',
    operationId: 'retireHost',
    summary: 'Retire a host: revoke its tokens, stop expecting and listing it',
    description:
      'Every token of the host is revoked (at once on this instance, within the token cache time on others); its host-health ' +
      'snapshot, request-log entry and SSH host entry are removed; fleet health stops judging it, so its open symptoms are ' +
      'released at the next run. Issuing a new token for the host brings it back. Retiring again is a no-op.',
    tags: ['tokens'],
    security: ['adminToken'],
    before: [admin],
    params: HostParams,
    responses: { 200: { description: 'retired', schema: HostRetired } },
    handler: async ({ params }) => {
      const r = await tokens.retire(params.host, now());
      await Promise.all([hostHealth.forget(params.host), requestLog.hosts.deleteOne({ _id: params.host }), sshEvents.forgetHost(params.host)]);
      changes?.notify('fleet-health');
      logger.info({ host: params.host, tokensRevoked: r.tokensRevoked }, 'host retired');
      return { status: 200, body: { host: params.host, retiredAt: r.retiredAt.toISOString(), tokensRevoked: r.tokensRevoked } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/retired-hosts',
    operationId: 'listRetiredHosts',
    summary: 'Hosts retired by an admin (not expected, not listed)',
    tags: ['tokens'],
    security: ['adminToken'],
    before: [admin],
    responses: { 200: { description: 'sorted by host', schema: RetiredHostList } },
    handler: async () => ({ status: 200, body: { hosts: (await tokens.retiredList()).map((r) => ({ host: r.host, retiredAt: r.retiredAt.toISOString() })) } }),
  });
}
