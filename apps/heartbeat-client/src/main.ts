import { createLogger, createMetrics, loadConfig, runCli, runService } from '@watchkeeper/runtime';
import { createApp } from './app';
import { configSchema, usage } from './config';

/** Wiring only: config → logger/metrics → app → run until a signal. */
async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  const logger = createLogger({ service: 'heartbeat-client', level: config.LOG_LEVEL });
  const registry = createMetrics('heartbeat-client');
  await runService(createApp({ config, logger, registry }), { logger });
}

export function cli(argv: string[]): void {
  void runCli(usage, argv, main);
}
