import { createLogger, createMetrics, loadConfig, runService } from '@watchkeeper/runtime';
import { createApp } from './app';
import { configSchema } from './config';

/**
 * Wiring only: config → logger/metrics → app → run until a signal. Loaded by main.ts only when the
 * collector runs as a daemon, so the one-shot commands never load its modules.
 */
export async function daemon(): Promise<void> {
  const config = loadConfig(configSchema);
  const logger = createLogger({ service: 'log-collector', level: config.LOG_LEVEL });
  const registry = createMetrics('log-collector');
  await runService(createApp({ config, logger, registry }), { logger });
}
