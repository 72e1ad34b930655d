import express from 'express';
import { Topics } from '@watchkeeper/contracts';
import { createKafka, ensureTopics, EventProducer, ProducerThread } from '@watchkeeper/kafka';
import { CheckpointStore, JournalCursorStore } from '@watchkeeper/log-tailer';
import { createCollectorMetrics, eventSource, FileShipper, JournalShipper } from '@watchkeeper/log-shipping';
import { connectMongo, ensureIndexes, mongoPing } from '@watchkeeper/mongo';
import { listen, opsRouter, type Logger, type Registry, type RunningServer, type Service } from '@watchkeeper/runtime';
import type { Connection } from 'mongoose';
import { planSources, type Config } from './config';

export function createApp(deps: { config: Config; logger: Logger; registry: Registry }): Service {
  const { config, logger, registry } = deps;
  const kafkaOptions = { brokers: config.KAFKA_BROKERS, clientId: 'watchkeeper-log-collector', logger };
  const kafka = createKafka(kafkaOptions);
  const source = eventSource(config.LOG_COLLECTOR_HOST);
  // Catching up on a busy host is bound by kafkajs' per-message cost: its own thread lets reading
  // and parsing use the second core (bench/results/log-collector.md).
  const producer = new EventProducer(new ProducerThread(kafkaOptions), source);
  const plan = planSources(config);
  const fileShippers: FileShipper[] = [];
  const shippers: Array<FileShipper | JournalShipper> = [];
  const metrics = createCollectorMetrics(registry, async () =>
    Promise.all(fileShippers.map(async (s) => ({ path: s.label, bytes: await s.bytesBehind() }))),
  );
  let conn: Connection | undefined;
  let server: RunningServer | undefined;
  let stopping = false;

  return {
    async start() {
      conn = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, logger });
      const checkpoints = new CheckpointStore(conn);
      const cursors = new JournalCursorStore(conn);
      await ensureIndexes([checkpoints.model, cursors.model]);
      await ensureTopics(kafka, [Topics.sshEvents]);
      await producer.connect();
      const common = { host: config.LOG_COLLECTOR_HOST, timeZone: config.LOG_COLLECTOR_TZ, producer, source, metrics, logger };
      if (plan.type === 'journald') {
        const journal = {
          journalctl: config.LOG_COLLECTOR_JOURNALCTL,
          directory: config.LOG_COLLECTOR_JOURNAL_DIRECTORY,
          files: config.LOG_COLLECTOR_JOURNAL_FILES,
          identifiers: config.LOG_COLLECTOR_JOURNAL_IDENTIFIERS,
        };
        shippers.push(new JournalShipper({ ...common, journal, cursors }));
      } else {
        for (const path of plan.files) {
          const s = new FileShipper({ ...common, path, pollMs: config.LOG_COLLECTOR_POLL_MS, batchBytes: config.LOG_COLLECTOR_BATCH_BYTES, checkpoints });
          fileShippers.push(s);
          shippers.push(s);
        }
      }
      for (const s of shippers) await s.start();
      const app = express();
      app.use(
        opsRouter({
          registry,
          checks: { mongo: async () => (conn ? mongoPing(conn) : false), kafka: async () => shippers.every((s) => s.kafkaOk) },
          isStopping: () => stopping,
        }),
      );
      server = await listen(app, config.LOG_COLLECTOR_PORT, config.HTTP_HOST);
      logger.info({ port: server.port, sources: shippers.map((s) => s.label), host: config.LOG_COLLECTOR_HOST }, 'log-collector started');
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
