import { dashboardIngestRoutes, dashboardProxyRoutes } from '@watchkeeper/dashboard';
import type { ReceiverDeps } from './deps';
import { receiverApi } from './receiver-http';

/**
 * The OpenAPI document without a running service (handlers are declared, never called), for
 * `docs/openapi.json` and the test that keeps it current.
 */
export function receiverOpenApiDocument(): Record<string, unknown> {
  const proxy = dashboardProxyRoutes({ heartbeatServerUrl: 'http://127.0.0.1:8081', alertDispatcherUrl: 'http://127.0.0.1:8082' });
  return receiverApi({ adminToken: 'x'.repeat(16), now: () => new Date() } as unknown as ReceiverDeps, { extraRoutes: [proxy, dashboardIngestRoutes({ sshLag: () => undefined })] }).openapi();
}

export function renderOpenApiDocument(): string {
  return JSON.stringify(receiverOpenApiDocument(), null, 2) + '\n';
}
