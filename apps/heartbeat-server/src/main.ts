import { createLogger, createMetrics, loadConfig, runCli, runService } from '@watchkeeper/runtime';
import { configSchema, usage } from './config';

/** Wiring only: config → logger/metrics → app → run until a signal. */
async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  const logger = createLogger({ service: 'heartbeat-server', level: config.LOG_LEVEL });
  const registry = createMetrics('heartbeat-server');
  // Loaded here, not at the top: the `check` subcommand (run by Nagios every few minutes) never needs
  // express, kafkajs or mongoose, and the service never needs the check.
  const { createApp } = await import('./app');
  await runService(createApp({ config, logger, registry }), { logger });
}

export function cli(argv: string[]): void {
  if (argv[0] === 'check') {
    // Nagios plugin: its own exit codes (3 for any usage or configuration problem).
    void import('./check')
      .then(({ runCheck }) => runCheck(argv.slice(1)))
      .catch((err: Error) => {
        process.stdout.write(`HEARTBEAT UNKNOWN - ${err.message}\n`);
        return 3;
      })
      .then((code) => process.exit(code));
    return;
  }
  void runCli(usage, argv, main);
}
