import { createLogger, createMetrics, loadConfig, runCli, runService, UsageError } from '@watchkeeper/runtime';
import { createApp } from './app';
import { configSchema, usage } from './config';
import { migrateAlertState } from './migrate-alert-state';
import { migrateSsh } from './migrate-ssh';

/** Wiring only: config → logger/metrics → app → run until a signal. */
async function main(argv: string[]): Promise<void> {
  const config = loadConfig(configSchema);
  const logger = createLogger({ service: 'receiver', level: config.LOG_LEVEL });
  if (argv[0] === 'migrate-ssh' && argv.length === 1) return void (await migrateSsh(config, logger));
  if (argv[0] === 'migrate-alert-state' && argv.length === 1) return void (await migrateAlertState(config, logger));
  if (argv.length > 0) throw new UsageError(`unknown arguments: ${argv.join(' ')}`);
  const registry = createMetrics('receiver');
  await runService(createApp({ config, logger, registry }), { logger });
}

export function cli(argv: string[]): void {
  void runCli(usage, argv, main);
}
