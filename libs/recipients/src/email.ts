import nodemailer, { type Transporter } from 'nodemailer';
import type { z } from 'zod';
import type { EmailRecipientConfig } from '@watchkeeper/alert-routing';
import type { Notification, Sender, SendResult } from '@watchkeeper/delivery-queue';
import { describe } from './payloads';

/** Subject and text of one mail carrying a digest of alerts. */
export function composeDigest(prefix: string, batch: Notification[]): { subject: string; text: string } {
  const count = (k: Notification['kind']) => batch.filter((n) => n.kind === k).length;
  const subject =
    batch.length === 1
      ? `${prefix} ${describe(batch[0]).split(' (at ')[0]}`
      : `${prefix} ${batch.length} alerts: ${count('firing')} firing, ${count('resolved')} resolved, ${count('stored')} events`;
  const text = [`${batch.length} alert(s):`, '', ...batch.map(describe), '', '-- watchkeeper alert-dispatcher'].join('\n');
  return { subject, text };
}

/** SMTP via nodemailer: one mail per digest. 4xx replies and connection errors retry; 5xx dead-letter. */
export class EmailSender implements Sender {
  readonly type = 'email';
  private readonly transport: Transporter;

  constructor(readonly name: string, private readonly config: z.output<typeof EmailRecipientConfig>) {
    const { smtp } = config;
    this.transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.requireTLS,
      ignoreTLS: !smtp.secure && !smtp.requireTLS,
      auth: smtp.auth,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(batch: Notification[], ctx: { digestId: string }): Promise<SendResult> {
    const { subject, text } = composeDigest(this.config.subjectPrefix, batch);
    try {
      await this.transport.sendMail({
        from: this.config.from,
        to: this.config.to,
        subject,
        text,
        headers: { 'X-Watchkeeper-Digest': ctx.digestId, 'X-Watchkeeper-Alerts': String(batch.length) },
      });
      return { ok: true };
    } catch (err) {
      const e = err as Error & { responseCode?: number; code?: string };
      const permanent = e.responseCode !== undefined && e.responseCode >= 500;
      return { ok: false, retryable: !permanent, cause: e.responseCode ? `smtp-${e.responseCode}` : `smtp: ${e.code ?? e.message}` };
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
