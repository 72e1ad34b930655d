import * as client from 'prom-client';

export { client as prom };
export type Registry = client.Registry;

/** A registry per service, with Node's process metrics and the service name as a default label. */
export function createMetrics(service: string): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry, prefix: 'watchkeeper_' });
  return registry;
}
