import * as dgram from 'node:dgram';
import * as os from 'node:os';
import type { z } from 'zod';
import type { SyslogRecipientConfig } from '@watchkeeper/alert-routing';
import type { Notification, Sender, SendResult } from '@watchkeeper/delivery-queue';
import { describe } from './payloads';

/** One JSON line per alert on stdout (or any stream), for log shippers. */
export class StdoutSender implements Sender {
  readonly type = 'stdout';

  constructor(readonly name: string, private readonly out: NodeJS.WritableStream = process.stdout) {}

  async send(batch: Notification[], ctx: { digestId: string }): Promise<SendResult> {
    const text = batch.map((n) => JSON.stringify({ recipient: this.name, digestId: ctx.digestId, text: describe(n), ...n })).join('\n') + '\n';
    await new Promise<void>((resolve, reject) => this.out.write(text, (err) => (err ? reject(err) : resolve())));
    return { ok: true };
  }
}

const SEVERITY = { critical: 2, warning: 4, info: 6 } as const;

/** RFC 5424 syslog over UDP, one datagram per alert. */
export function formatSyslog(n: Notification, opts: { facility: number; appName: string; hostname?: string }): string {
  const pri = opts.facility * 8 + SEVERITY[n.severity];
  const sd = `[watchkeeper@32473 fingerprint="${n.fingerprint}" kind="${n.kind}"]`;
  return `<${pri}>1 ${new Date().toISOString()} ${opts.hostname ?? os.hostname()} ${opts.appName} - alert ${sd} ${describe(n)}`;
}

export class SyslogSender implements Sender {
  readonly type = 'syslog';
  private readonly socket = dgram.createSocket('udp4');

  constructor(readonly name: string, private readonly config: z.output<typeof SyslogRecipientConfig>) {
    this.socket.unref();
  }

  async send(batch: Notification[]): Promise<SendResult> {
    for (const n of batch) {
      const msg = formatSyslog(n, this.config);
      await new Promise<void>((resolve, reject) => this.socket.send(msg, this.config.port, this.config.host, (err) => (err ? reject(err) : resolve())));
    }
    return { ok: true };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
