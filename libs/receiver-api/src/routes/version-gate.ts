import { VersionGateResponse, VersionGateSetting } from '@watchkeeper/contracts';
import type { RouteContext } from '../deps';

export function versionGateRoutes({ api, admin, versionGate, logger }: RouteContext): void {
  api.route({
    method: 'get',
    path: '/v1/version-gate',
    operationId: 'getVersionGate',
    summary: 'The code-version gate in force for uploads, or null',
    tags: ['artifacts'],
    security: ['adminToken'],
    before: [admin],
    responses: { 200: { description: 'the gate (shared by every receiver instance)', schema: VersionGateResponse } },
    handler: async () => ({ status: 200, body: { gate: await versionGate.current() } }),
  });

  api.route({
    method: 'put',
    path: '/v1/version-gate',
    operationId: 'setVersionGate',
    summary: 'Set the code-version gate: the newest `window` of `commits` may upload, the first is the head',
    description:
      'Stored in MongoDB and shared by every receiver instance (each reads it again within a few seconds). While a gate is set, ' +
      'an upload without `X-Code-Commit` is refused with 400 and a `remediation`, one whose commit is not among the first `window` ' +
      'commits with 412 naming `yourCommit`, `headCommit` and `window`. Host-health reports are never gated. A receiver that follows ' +
      'a git clone (RECEIVER_VERSION_GATE_GIT_DIR) overwrites the gate when the branch moves.',
    tags: ['artifacts'],
    security: ['adminToken'],
    before: [admin],
    body: VersionGateSetting,
    responses: { 200: { description: 'the gate now in force', schema: VersionGateResponse } },
    handler: async ({ body }) => {
      const gate = await versionGate.set(body, 'api');
      logger.info({ head: gate.head, window: gate.window }, 'version gate set');
      return { status: 200, body: { gate } };
    },
  });

  api.route({
    method: 'delete',
    path: '/v1/version-gate',
    operationId: 'clearVersionGate',
    summary: 'Remove the code-version gate: uploads pass as without one (the start-up allow-list, if any, applies)',
    tags: ['artifacts'],
    security: ['adminToken'],
    before: [admin],
    responses: { 200: { description: 'no gate in force', schema: VersionGateResponse } },
    handler: async () => {
      if (await versionGate.clear()) logger.info('version gate removed');
      return { status: 200, body: { gate: null } };
    },
  });
}
