// The fast produce path's module alone: the kafka index loads kafkajs, which must not be loaded yet.
import { installFastProduce } from '@watchkeeper/kafka/dist/fast-produce';
import { createLogger, createMetrics, loadConfig, runService } from '@watchkeeper/runtime';
import { configSchema } from './config';

/**
 * Wiring only: config → logger/metrics → app → run until a signal. Loaded by main.ts only when the
 * collector runs as a daemon, so the one-shot commands never pay for its modules' start-up (≈ 0.3 s).
 */
export async function daemon(): Promise<void> {
  const config = loadConfig(configSchema);
  const logger = createLogger({ service: 'log-collector', level: config.LOG_LEVEL });
  const registry = createMetrics('log-collector');
  // kafkajs' per-message work is most of the CPU per event: its byte-identical faster parts go in
  // before kafkajs is loaded (the app's modules load it), when the pinned kafkajs is the checked one.
  if (config.LOG_COLLECTOR_KAFKA_ENCODER === 'fast') {
    const fast = installFastProduce();
    if (fast.produce && fast.grouping && fast.framing) logger.info('fast Kafka produce path installed');
    else logger.warn({ ...fast }, 'fast Kafka produce path partly installed; kafkajs does the rest');
  }
  const { createApp } = await import('./app');
  await runService(createApp({ config, logger, registry }), { logger });
}
