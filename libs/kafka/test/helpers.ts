import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** A consumer process whose JSON stdout lines are collected as they come. */
export class ConsumerProcess {
  readonly lines: any[] = [];
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [path.join(__dirname, 'fixtures/consumer-process.cjs')], {
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    readline.createInterface({ input: this.child.stdout! }).on('line', (l) => {
      this.lines.push(JSON.parse(l));
      this.waiters.forEach((w) => w());
    });
  }

  async waitFor(pred: (lines: any[]) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.lines)) {
      if (Date.now() > deadline) throw new Error(`timed out; lines so far: ${JSON.stringify(this.lines)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}
