import { HostSelfCheckReport, PingResponse } from '@watchkeeper/contracts';
import { backoffDelay, sleep } from '@watchkeeper/runtime';
import type { ClockSample } from './checks';

export interface ReceiverClientOptions {
  /** e.g. https://receiver.lab:8080 */
  baseUrl: string;
  host: string;
  token: string;
  /** Attempts per call (network errors, 408, 429, 5xx are retried with exponential backoff). */
  attempts?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  timeoutMs?: number;
  signal?: AbortSignal;
  onRetry?: (info: { what: string; attempt: number; delayMs: number; reason: string }) => void;
}

/** A refusal that retrying will not change (400, 401, 403, 404, 413…). */
export class ReceiverRefused extends Error {
  override name = 'ReceiverRefused';
  constructor(readonly status: number, readonly body: string) {
    super(`the receiver refused with ${status}: ${body.slice(0, 500)}`);
  }
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

/** Retry-After as delay-seconds or an HTTP date → milliseconds from now; undefined when absent or unreadable. */
function retryAfterMs(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(h);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** The two calls a host's reporter makes: `POST /v1/ping` and `PUT /v1/host-health/{host}`, with retries. */
export class ReceiverClient {
  constructor(private readonly opts: ReceiverClientOptions) {}

  /** Checks the token and the path, and reads the receiver's clock (with this host's clock around the call). */
  async ping(): Promise<{ host: string; schemaVersion: string; clock: ClockSample }> {
    return this.withRetries('ping', async () => {
      const sentAt = Date.now();
      const r = await this.call('POST', '/v1/ping');
      const answeredAt = Date.now();
      const body = PingResponse.parse(JSON.parse(r));
      return { host: body.host, schemaVersion: body.schemaVersion, clock: { sentAt, answeredAt, serverTime: Date.parse(body.serverTime) } };
    });
  }

  /** Stores the report (validated against the contract before it is sent); resolves with the receiver's time stamp. */
  async putReport(report: HostSelfCheckReport): Promise<{ receivedAt: string }> {
    const body = JSON.stringify(HostSelfCheckReport.parse(report));
    return this.withRetries('put host-health', async () => JSON.parse(await this.call('PUT', `/v1/host-health/${encodeURIComponent(this.opts.host)}`, body)) as { receivedAt: string });
  }

  private async call(method: string, path: string, body?: string): Promise<string> {
    const r = await fetch(new URL(path, this.opts.baseUrl), {
      method,
      headers: { authorization: `Bearer ${this.opts.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body,
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
    });
    const text = await r.text();
    if (r.ok) return text;
    if (retryable(r.status)) throw Object.assign(new Error(`${method} ${path} answered ${r.status}`), { retryAfterMs: retryAfterMs(r.headers.get('retry-after')) });
    throw new ReceiverRefused(r.status, text);
  }

  private async withRetries<T>(what: string, work: () => Promise<T>): Promise<T> {
    const attempts = this.opts.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (err instanceof ReceiverRefused || attempt >= attempts || this.opts.signal?.aborted) throw err;
        const backoff = backoffDelay(attempt, { baseMs: this.opts.backoff?.baseMs ?? 2000, maxMs: this.opts.backoff?.maxMs ?? 60_000 });
        const delayMs = Math.max(backoff, (err as { retryAfterMs?: number }).retryAfterMs ?? 0);
        this.opts.onRetry?.({ what, attempt, delayMs, reason: (err as Error).message });
        await sleep(delayMs, this.opts.signal);
      }
    }
  }
}
