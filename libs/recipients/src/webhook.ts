import { createHmac } from 'node:crypto';
import { parseRetryAfter, type Notification, type Sender, type SendResult } from '@watchkeeper/delivery-queue';
import type { z } from 'zod';
import type { WebhookRecipientConfig } from '@watchkeeper/alert-routing';
import { alertmanagerPayload, watchkeeperPayload } from './payloads';

export const SIGNATURE_HEADER = 'x-watchkeeper-signature';
export const TIMESTAMP_HEADER = 'x-watchkeeper-timestamp';

/** HMAC-SHA256 over `<timestamp>.<body>`, hex, as `sha256=<hex>`: a receiver checks both and rejects old timestamps. */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** JSON POST. 2xx delivered; 408, 429 and 5xx retried (Retry-After honoured); other 4xx dead-lettered at once. */
export class WebhookSender implements Sender {
  readonly type = 'webhook';

  constructor(readonly name: string, private readonly config: z.output<typeof WebhookRecipientConfig>) {}

  async send(batch: Notification[], ctx: { digestId: string; signal: AbortSignal }): Promise<SendResult> {
    const payload = this.config.format === 'alertmanager' ? alertmanagerPayload(this.name, ctx.digestId, batch) : watchkeeperPayload(this.name, ctx.digestId, batch);
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'watchkeeper-alert-dispatcher', ...this.config.headers };
    if (this.config.hmacSecret) {
      const ts = String(Math.floor(Date.now() / 1000));
      headers[TIMESTAMP_HEADER] = ts;
      headers[SIGNATURE_HEADER] = signBody(this.config.hmacSecret, ts, body);
    }
    let res: Response;
    try {
      res = await fetch(this.config.url, { method: 'POST', headers, body, signal: ctx.signal });
    } catch (err) {
      // fetch wraps the socket error (sometimes in an AggregateError): name its code when there is one.
      const e = err as Error & { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } };
      const code = e.cause?.code ?? e.cause?.errors?.find((x) => x.code)?.code ?? e.cause?.message ?? e.message;
      return { ok: false, retryable: true, cause: `connect: ${code}` };
    }
    await res.arrayBuffer().catch(() => undefined); // drain so the connection is reused
    if (res.ok) return { ok: true };
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    return { ok: false, retryable, cause: `http-${res.status}`, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
  }
}
