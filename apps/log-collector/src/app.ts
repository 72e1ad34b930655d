import express from 'express';
import { Topics } from '@watchkeeper/contracts';
import { createKafka, ensureTopics, EventProducer } from '@watchkeeper/kafka';
import { CheckpointStore } from '@watchkeeper/log-tailer';
import { connectMongo, ensureIndexes, mongoPing } from '@watchkeeper/mongo';
import { listen, opsRouter, type Logger, type Registry, type RunningServer, type Service } from '@watchkeeper/runtime';
import type { Connection } from 'mongoose';
import { FileShipper } from './collector/file-shipper';
import { createCollectorMetrics } from './collector/metrics';
import type { Config } from './config';

export function createApp(deps: { config: Config; logger: Logger; registry: Registry }): Service {
  const { config, logger, registry } = deps;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'watchkeeper-log-collector', logger });
  const producer = new EventProducer(kafka, `watchkeeper/log-collector/${config.LOG_COLLECTOR_HOST}`);
  const shippers: FileShipper[] = [];
  const metrics = createCollectorMetrics(registry, async () =>
    Promise.all(shippers.map(async (s, i) => ({ path: config.LOG_COLLECTOR_FILES[i], bytes: await s.bytesBehind() }))),
  );
  let conn: Connection | undefined;
  let server: RunningServer | undefined;
  let stopping = false;

  return {
    async start() {
      conn = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, logger });
      const checkpoints = new CheckpointStore(conn);
      await ensureIndexes([checkpoints.model]);
      await ensureTopics(kafka, [Topics.sshEvents]);
      await producer.connect();
      for (const path of config.LOG_COLLECTOR_FILES) {
        const shipper = new FileShipper({
          path,
          host: config.LOG_COLLECTOR_HOST,
          timeZone: config.LOG_COLLECTOR_TZ,
          pollMs: config.LOG_COLLECTOR_POLL_MS,
          batchBytes: config.LOG_COLLECTOR_BATCH_BYTES,
          producer,
          checkpoints,
          metrics,
          logger,
        });
        shippers.push(shipper);
        await shipper.start();
      }
      const app = express();
      app.use(
        opsRouter({
          registry,
          checks: { mongo: async () => (conn ? mongoPing(conn) : false), kafka: async () => shippers.every((s) => s.kafkaOk) },
          isStopping: () => stopping,
        }),
      );
      server = await listen(app, config.LOG_COLLECTOR_PORT, config.HTTP_HOST);
      logger.info({ port: server.port, files: config.LOG_COLLECTOR_FILES, host: config.LOG_COLLECTOR_HOST }, 'log-collector started');
    },
    async stop() {
      stopping = true;
      await Promise.all(shippers.map((s) => s.stop()));
      await server?.close();
      await producer.disconnect();
      await conn?.close();
    },
  };
}
