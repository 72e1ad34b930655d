// The CLI runner alone, not the runtime's index: that loads express, pino and prom-client (≈ 0.12 s),
// which the one-shot `count` and `parse` never use. The daemon imports the index when it starts.
import { runCli } from '@watchkeeper/runtime/dist/cli';
import { usage } from './usage';

/**
 * Wiring only: config → logger/metrics → app → run until a signal. The daemon's modules (Kafka,
 * MongoDB, Express) are loaded only here: `count` and `parse` do not need them, and their start-up
 * time (≈ 0.3 s) would count against a one-shot read.
 */
async function daemon(): Promise<void> {
  const [{ createLogger, createMetrics, loadConfig, runService }, { createApp }, { configSchema }] = await Promise.all([
    import('@watchkeeper/runtime'),
    import('./app'),
    import('./config'),
  ]);
  const config = loadConfig(configSchema);
  const logger = createLogger({ service: 'log-collector', level: config.LOG_LEVEL });
  const registry = createMetrics('log-collector');
  await runService(createApp({ config, logger, registry }), { logger });
}

/** `count` / `parse` read one file and exit; no arguments run the collector. */
async function main(argv: string[]): Promise<number | void> {
  if (argv.length === 0) return daemon();
  const [{ parseOneShotArgs }, { countCommand, parseCommand }] = await Promise.all([import('./one-shot/options'), import('./one-shot/commands')]);
  const opts = parseOneShotArgs(argv);
  return opts.command === 'count' ? countCommand(opts) : parseCommand(opts);
}

export function cli(argv: string[]): void {
  // `parse … | head`: a closed pipe ends the output, it is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  void runCli(usage, argv, main);
}
