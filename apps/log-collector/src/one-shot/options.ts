import * as os from 'node:os';
import { parseArgs } from 'node:util';
// The CLI module alone (see main.ts): the one-shot commands do not load the runtime's HTTP and metrics.
import { UsageError } from '@watchkeeper/runtime/cli';
import { machineTimeZone } from '@watchkeeper/sshd-parser';

export interface OneShotOptions {
  command: 'count' | 'parse';
  file: string;
  year?: number;
  timeZone: string;
  host: string;
  json: boolean;
}

/** `count|parse --file <path|-> [--year Y] [--tz Z] [--host H] [--json]`; a clear UsageError otherwise. */
export function parseOneShotArgs(argv: string[]): OneShotOptions {
  const [command, ...rest] = argv;
  if (command !== 'count' && command !== 'parse') throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        file: { type: 'string', short: 'f' },
        year: { type: 'string' },
        tz: { type: 'string' },
        host: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!values.file) throw new UsageError(`${command} needs --file <path> (or --file - for stdin)`);
  let year: number | undefined;
  if (values.year !== undefined) {
    year = Number(values.year);
    if (!Number.isInteger(year) || year < 1970 || year > 9999) throw new UsageError(`--year must be a year, got ${values.year}`);
  }
  const timeZone = values.tz ?? machineTimeZone();
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new UsageError(`--tz: unknown time zone ${JSON.stringify(timeZone)} (use an IANA name such as Europe/Berlin or UTC)`);
  }
  return { command, file: values.file, year, timeZone, host: values.host ?? os.hostname().split('.')[0], json: values.json ?? false };
}
