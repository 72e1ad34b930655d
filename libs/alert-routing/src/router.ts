import type { AlertEvent } from '@watchkeeper/contracts';
import type { PoolConfig, RoutingConfig } from './config-schema';

/** One recipient an alert goes to, through which pool, and where it goes if that recipient gives up. */
export interface RouteTarget {
  recipient: string;
  pool: string;
  fallback?: string;
}

type Routable = Pick<AlertEvent, 'type' | 'entity' | 'labels' | 'severity'>;

export function poolMatches(pool: PoolConfig, alert: Routable): boolean {
  const m = pool.match;
  const labels = alert.labels ?? {};
  if (!pool.severities.includes(alert.severity)) return false;
  if (m.hostGroups && !m.hostGroups.includes(labels.host_group ?? '')) return false;
  if (m.entityKinds && !m.entityKinds.includes(alert.entity.kind)) return false;
  if (m.types && !m.types.includes(alert.type)) return false;
  if (m.labels && !Object.entries(m.labels).every(([k, v]) => labels[k] === v)) return false;
  return true;
}

/**
 * Pools are tried in file order; every matching pool adds its recipients (once each) until a pool
 * with `stop: true` matches. An alert no pool takes still reaches the history store.
 */
export function routeAlert(config: Pick<RoutingConfig, 'pools'>, alert: Routable): RouteTarget[] {
  const out: RouteTarget[] = [];
  const seen = new Set<string>();
  for (const pool of config.pools) {
    if (!poolMatches(pool, alert)) continue;
    for (const recipient of pool.recipients) {
      if (seen.has(recipient)) continue;
      seen.add(recipient);
      out.push({ recipient, pool: pool.name, fallback: pool.fallback });
    }
    if (pool.stop) break;
  }
  return out;
}
