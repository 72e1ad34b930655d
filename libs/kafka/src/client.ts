import { Kafka, logLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import type { Logger } from '@watchkeeper/runtime';

/** kafkajs logs go through the service's own JSON logger, not to the console. */
function pinoLogCreator(logger: Logger): logCreator {
  return () => ({ level, log }) => {
    const { message, ...extra } = log;
    const child = { component: 'kafkajs', namespace: extra.namespace, ...extra };
    if (level === logLevel.ERROR) logger.error(child, message);
    else if (level === logLevel.WARN) logger.warn(child, message);
    else if (level === logLevel.INFO) logger.debug(child, message);
    else logger.trace(child, message);
  };
}

export type KafkaOptions = { brokers: string[]; clientId: string; logger: Logger } & Partial<KafkaConfig>;

export function createKafka(opts: KafkaOptions): Kafka {
  const { brokers, clientId, logger, ...rest } = opts;
  return new Kafka({
    brokers,
    clientId,
    logLevel: logLevel.INFO,
    logCreator: pinoLogCreator(logger),
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    connectionTimeout: 3000,
    ...rest,
  });
}
