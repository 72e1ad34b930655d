import { lineEventId } from '@watchkeeper/log-tailer/reading';
import { SshStatsAccumulator } from '@watchkeeper/ssh-stats';
import type { OneShotOptions } from './options';
import { scanLog, type ScanSummary } from './scan-log';

/** Above this share of unrecognised sshd lines the parser is probably missing a log format. */
const UNRECOGNIZED_WARN_RATIO = 0.05;

/** `count`: per-host, per-day statistics of a log file. */
export async function countCommand(opts: OneShotOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const stats = new SshStatsAccumulator({ timeZone: opts.timeZone });
  // Statistics need no event objects, only what the counts need (statsEvent).
  const summary = await scanLog(opts, (parser) => (line) => {
    const e = parser.statsEvent(line);
    if (e) stats.add(e);
  });
  const result = { lines: summary.lines, sshd: summary.parser.counters.sshd, unrecognized: summary.parser.counters.unrecognized, days: stats.days() };
  if (opts.json) out.write(JSON.stringify(result) + '\n');
  else {
    out.write(`${result.lines} lines, ${result.sshd} from sshd, ${result.unrecognized} unrecognised (days in ${opts.timeZone})\n`);
    out.write('host\tdate\tsessions\taccepted\tfailed\tinvalidUser\tsources\n');
    for (const d of result.days) out.write(`${d.host}\t${d.date}\t${d.sessions}\t${d.accepted}\t${d.failed}\t${d.invalidUser}\t${d.sources}\n`);
  }
  warnUnrecognized(summary);
  return 0;
}

/** `parse`: one JSON event per line (NDJSON), ids as the collector would give them. */
export async function parseCommand(opts: OneShotOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let pending: string[] = [];
  // Written per input chunk; a slow reader of stdout pauses the read instead of filling memory.
  const flush = async () => {
    if (pending.length === 0) return;
    const ok = out.write(pending.join(''));
    pending = [];
    if (!ok) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  const summary = await scanLog(
    opts,
    (parser, fileId) => (line, offset) => {
      const r = parser.parseLine(line);
      if (r.type === 'event') pending.push(JSON.stringify({ id: lineEventId(opts.host, fileId, offset), ...r.event }) + '\n');
    },
    flush,
  );
  warnUnrecognized(summary);
  return 0;
}

function warnUnrecognized({ parser }: ScanSummary): void {
  const { sshd, unrecognized } = parser.counters;
  if (unrecognized === 0) return;
  const ratio = unrecognized / sshd;
  const level = ratio > UNRECOGNIZED_WARN_RATIO ? 'WARNING: a high share of' : 'note:';
  process.stderr.write(
    `${level} ${unrecognized} of ${sshd} sshd lines (${(ratio * 100).toFixed(1)}%) were not recognised; e.g.\n` +
      parser.unrecognizedSamples.map((s) => `  ${s}\n`).join(''),
  );
}
