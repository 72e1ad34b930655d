import express from 'express';
import { allTopics } from '@watchkeeper/contracts';
import { createKafka, ensureTopics, EventProducer } from '@watchkeeper/kafka';
import { listen, opsRouter, type Logger, type Registry, type RunningServer, type Service } from '@watchkeeper/runtime';
import type { Config } from './config';

export function createApp(deps: { config: Config; logger: Logger; registry: Registry }): Service {
  const { config, logger, registry } = deps;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'watchkeeper-receiver', logger });
  const producer = new EventProducer(kafka, 'watchkeeper/receiver');
  let server: RunningServer | undefined;
  let stopping = false;

  return {
    async start() {
      await ensureTopics(kafka, allTopics);
      await producer.connect();
      const app = express();
      app.use(opsRouter({ registry, checks: { kafka: async () => true }, isStopping: () => stopping }));
      server = await listen(app, config.RECEIVER_PORT, config.HTTP_HOST);
      logger.info({ port: server.port }, 'receiver started');
    },
    async stop() {
      stopping = true;
      await server?.close();
      await producer.disconnect();
    },
  };
}
