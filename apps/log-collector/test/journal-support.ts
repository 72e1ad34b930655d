import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSyslogHeader, SyntheticAuthLog } from '@watchkeeper/sshd-parser';
import { ROOT } from './support';

export const JOURNAL_REMOTE = '/usr/lib/systemd/systemd-journal-remote';

/** Installs Debian's systemd-journal-remote through the project's script (idempotent; needs root or sudo). */
export function ensureJournalRemote(): void {
  if (fs.existsSync(JOURNAL_REMOTE)) return;
  execFileSync('bash', [path.join(ROOT, 'tools/install-journal-remote.sh')], { stdio: 'inherit' });
}

/**
 * Writes syslog lines as real journal entries: each line's header becomes the fields journald would
 * store (time, _HOSTNAME, SYSLOG_IDENTIFIER, _COMM, _PID, MESSAGE), in the journal export format that
 * `systemd-journal-remote -o <file>.journal -` turns into (or appends to) a journal file. The same
 * lines go to a "truth" text file: what a one-shot `count` must agree with.
 */
export class JournalWriter {
  readonly truth: string;
  private readonly gen: SyntheticAuthLog;
  private monotonic = 1;

  constructor(readonly dir: string, host: string, seed: number) {
    this.truth = path.join(dir, 'truth.log');
    fs.writeFileSync(this.truth, '');
    // RFC 3339 stamps with offsets: the instants are exact, no year to infer.
    this.gen = new SyntheticAuthLog({ host, seed, stamps: 'rfc3339', start: Date.now() - 3 * 86_400_000, meanGapSeconds: 2, firstPid: 1000 + seed * 1_000_000 });
  }

  /** Appends n lines to `<dir>/<file>` (created when missing). */
  write(n: number, file = 'system.journal'): void {
    const lines = this.gen.lines(n);
    const exported = lines.map((l) => this.exportEntry(l)).join('');
    execFileSync(JOURNAL_REMOTE, ['-o', path.join(this.dir, file), '-'], { input: exported, stdio: ['pipe', 'ignore', 'pipe'] });
    fs.appendFileSync(this.truth, lines.map((l) => l + '\n').join(''));
  }

  private exportEntry(line: string): string {
    const h = parseSyslogHeader(line);
    if (!h || h.stamp.type !== 'iso' || h.stamp.offsetMin === undefined || !h.host) throw new Error(`test line without an RFC 3339 header: ${line}`);
    const s = h.stamp;
    const ms = Date.UTC(s.y, s.month - 1, s.day, s.h, s.m, s.s) + s.fracMs - (s.offsetMin ?? 0) * 60_000;
    const fields = [
      `__REALTIME_TIMESTAMP=${Math.round(ms * 1000)}`,
      `__MONOTONIC_TIMESTAMP=${this.monotonic++}`,
      '_BOOT_ID=5e1f0c0ffee0000000000000000000b0',
      `_HOSTNAME=${h.host}`,
      `SYSLOG_IDENTIFIER=${h.program}`,
      `_COMM=${h.program}`,
      `_PID=${h.pid}`,
      `MESSAGE=${h.message}`,
    ];
    return fields.join('\n') + '\n\n';
  }
}
