import { IngestStatusResponse } from '@watchkeeper/contracts';
import type { ProxyRouteContext } from './proxy-routes';

/** What the receiver knows of a consumer's lag (ConsumerRunner.lag() of libs/kafka). */
export interface LagReading {
  group: string;
  topic: string;
  total: number;
  /** ms since the epoch */
  at: number;
}

/**
 * `GET /v1/ingest`: how far the receiver's ssh-events consumer is behind the log collectors, so the
 * dashboard can say that its SSH figures are not complete yet (instead of silently showing old ones).
 */
export function dashboardIngestRoutes(opts: { sshLag: () => LagReading | undefined }): (ctx: ProxyRouteContext) => void {
  return ({ api, admin }) => {
    api.route({
      security: ['adminToken'],
      before: [admin],
      method: 'get',
      path: '/v1/ingest',
      operationId: 'ingestStatus',
      summary: "How far the receiver's consumers are behind their topics",
      description: 'From the group\'s committed offsets and the topic\'s high watermarks, read every few seconds (also on /metrics as watchkeeper_kafka_consumer_lag).',
      tags: ['dashboard'],
      responses: { 200: { description: 'the latest reading; null before the first', schema: IngestStatusResponse } },
      handler: async () => {
        const lag = opts.sshLag();
        const sshEvents = lag ? { topic: lag.topic, group: lag.group, behind: lag.total, readAt: new Date(lag.at).toISOString() } : null;
        return { status: 200, body: { sshEvents } };
      },
    });
  };
}
