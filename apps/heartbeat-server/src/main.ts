import { createLogger, createMetrics, loadConfig, runCli, runService } from '@watchkeeper/runtime';
import { createApp } from './app';
import { runCheck } from './check';
import { configSchema, usage } from './config';

/** Wiring only: config → logger/metrics → app → run until a signal. */
async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  const logger = createLogger({ service: 'heartbeat-server', level: config.LOG_LEVEL });
  const registry = createMetrics('heartbeat-server');
  await runService(createApp({ config, logger, registry }), { logger });
}

export function cli(argv: string[]): void {
  if (argv[0] === 'check') {
    // Nagios plugin: its own exit codes (3 for any usage or configuration problem).
    void runCheck(argv.slice(1)).then((code) => process.exit(code));
    return;
  }
  void runCli(usage, argv, main);
}
