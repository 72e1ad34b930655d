import type { ReceiverDeps } from './deps';
import { receiverApi } from './receiver-http';

/**
 * The OpenAPI document without a running service (handlers are declared, never called), for
 * `docs/openapi.json` and the test that keeps it current.
 */
export function receiverOpenApiDocument(): Record<string, unknown> {
  return receiverApi({ adminToken: 'x'.repeat(16), now: () => new Date() } as unknown as ReceiverDeps).openapi();
}

export function renderOpenApiDocument(): string {
  return JSON.stringify(receiverOpenApiDocument(), null, 2) + '\n';
}
