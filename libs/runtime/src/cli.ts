import { ConfigError } from './config-error';

/**
 * Entry-point guard for a bin: prints usage for --help, a clear message (exit 78, EX_CONFIG) for a
 * configuration error, and the error for anything else.
 */
export async function runCli(usage: string, argv: string[], main: (argv: string[]) => Promise<number | void>): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage.trimEnd() + '\n');
    return;
  }
  try {
    const code = await main(argv);
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${usage.trimEnd()}\n`);
      process.exit(64);
    }
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  }
}

export class UsageError extends Error {
  override name = 'UsageError';
}
