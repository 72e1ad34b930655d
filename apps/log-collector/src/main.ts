// The CLI runner alone, not the runtime's index: that loads express, pino and prom-client,
// which the one-shot `count` and `parse` never use. The daemon imports the index when it starts.
import { runCli } from '@watchkeeper/runtime/cli';
import { usage } from './usage';

/** `count` / `parse` read one file and exit; no arguments run the collector. */
async function main(argv: string[]): Promise<number | void> {
  // The daemon's modules (Kafka, MongoDB, Express) load only here: `count` and `parse` do not need them.
  if (argv.length === 0) return (await import('./daemon')).daemon();
  if (argv[0] === 'doctor') return (await import('./doctor')).doctorCommand(argv.slice(1));
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
