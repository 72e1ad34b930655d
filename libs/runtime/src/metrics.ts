import * as client from 'prom-client';

export { client as prom };
export type Registry = client.Registry;

/** A registry per service, with Node's process metrics and the service name as a default label. */
export function createMetrics(service: string): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  // The event-loop delay histogram samples on a timer of its own; at prom-client's default of 10 ms
  // that timer alone wakes an idle service 100 times a second. 100 ms still shows any lag that matters.
  client.collectDefaultMetrics({ register: registry, prefix: 'watchkeeper_', eventLoopMonitoringPrecision: 100 });
  return registry;
}
