import { FleetHealthResponse } from '@watchkeeper/contracts';
import type { RouteContext } from '../deps';

export function fleetRoutes({ api, admin, fleetHealth, requestLog, now }: RouteContext): void {
  api.route({
    method: 'get',
    path: '/v1/fleet-health',
    operationId: 'fleetHealth',
    summary: 'Every host seen in the last 24 h: request counts in the detector window and open symptoms',
    description: 'Symptoms are silent, fatal-only and unstamped, each a stateful alert on the alerts topic while open.',
    tags: ['fleet-health'],
    security: ['adminToken'],
    before: [admin],
    responses: { 200: { description: 'sorted by host', schema: FleetHealthResponse } },
    handler: async () => {
      // The request log writes its counts every few seconds; the answer includes those not yet written.
      await requestLog.flush();
      return { status: 200, body: await fleetHealth.report(now()) };
    },
  });
}
