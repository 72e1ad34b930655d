import { allTopics } from '@watchkeeper/contracts';
import { createKafka, ensureTopics, EventProducer } from '@watchkeeper/kafka';
import { connectMongo, mongoPing } from '@watchkeeper/mongo';
import { listen, opsRouter, type Logger, type Registry, type RunningServer, type Service } from '@watchkeeper/runtime';
import { RoutingTable } from '@watchkeeper/alert-routing';
import { DispatcherEngine, dispatcherHttpApp, pruneHistory } from '@watchkeeper/alert-dispatch';
import type { Config } from './config';

/** Wiring: Kafka, MongoDB, the routing file, the engine and the HTTP API. */
export function createApp(deps: { config: Config; logger: Logger; registry: Registry; routing: RoutingTable }): Service {
  const { config, logger, registry, routing } = deps;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'watchkeeper-alert-dispatcher', logger });
  const producer = new EventProducer(kafka, 'watchkeeper/alert-dispatcher');
  let server: RunningServer | undefined;
  let engine: DispatcherEngine | undefined;
  let conn: Awaited<ReturnType<typeof connectMongo>> | undefined;
  let pruner: NodeJS.Timeout | undefined;
  let stopping = false;

  return {
    async start() {
      await ensureTopics(kafka, allTopics);
      await producer.connect();
      conn = await connectMongo({ url: config.MONGO_URL, dbName: config.ALERT_DISPATCHER_MONGO_DB, logger });
      engine = new DispatcherEngine({ conn, kafka, producer, logger, registry, routing, groupId: config.ALERT_DISPATCHER_GROUP_ID, settleIntervalMs: config.ALERT_DISPATCHER_SETTLE_MS });
      await engine.start();
      const e = engine;
      const prune = () =>
        pruneHistory(e, config.ALERT_DISPATCHER_HISTORY_DAYS)
          .then((dropped) => dropped.length > 0 && logger.info({ dropped }, 'expired history days dropped'))
          .catch((err) => logger.warn({ err }, 'pruning failed'));
      pruner = setInterval(() => void prune(), 3_600_000);
      pruner.unref();
      const ops = opsRouter({ registry, checks: { kafka: async () => e.consuming, mongodb: () => mongoPing(conn!) }, isStopping: () => stopping });
      const app = dispatcherHttpApp(e, { adminToken: config.WATCHKEEPER_ADMIN_TOKEN, logger, ops });
      server = await listen(app, config.ALERT_DISPATCHER_PORT, config.HTTP_HOST);
      logger.info({ port: server.port, routing: routing.current.origin, recipients: [...routing.current.recipients.keys()] }, 'alert-dispatcher started');
    },
    async reload() {
      const next = routing.reload();
      engine?.applyRouting(next);
      logger.info({ routing: next.origin, recipients: [...next.recipients.keys()], pools: next.pools.length }, 'routing config reloaded');
    },
    async stop() {
      stopping = true;
      if (pruner) clearInterval(pruner);
      await engine?.stop();
      await server?.close();
      await producer.disconnect();
      await conn?.close();
    },
  };
}
