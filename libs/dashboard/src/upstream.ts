import { z } from 'zod';
import { ErrorBody } from '@watchkeeper/contracts';
import { HttpError, type Reply } from '@watchkeeper/http-api';

export interface Upstream {
  /** Shown in error messages: "heartbeat-server", "alert-dispatcher". */
  name: string;
  baseUrl: string;
  timeoutMs: number;
}

export interface UpstreamCall {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** The caller's `Authorization` header, forwarded as it came (the services share the admin token). */
  authorization?: string;
  /** Contract of each success status the upstream may answer; anything else is its fault (502). */
  schemas: Record<number, z.ZodType>;
}

/**
 * One request to another Watchkeeper service, its answer checked against the shared contracts.
 * The browser only ever sees this receiver: an upstream that is down, slow, rejects the forwarded
 * token or answers outside its contract becomes a 502/504 naming that service, never a hang or a 500.
 */
export async function callUpstream(up: Upstream, call: UpstreamCall): Promise<Reply> {
  const url = new URL(call.path, up.baseUrl);
  for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  let res: Response;
  try {
    res = await fetch(url, {
      method: call.method,
      headers: {
        accept: 'application/json',
        ...(call.authorization ? { authorization: call.authorization } : {}),
        ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: call.body !== undefined ? JSON.stringify(call.body) : undefined,
      signal: AbortSignal.timeout(up.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError') throw new HttpError(504, 'upstream-timeout', `${up.name} did not answer within ${up.timeoutMs} ms`, { upstream: up.name });
    throw new HttpError(502, 'upstream-unavailable', `${up.name} at ${up.baseUrl} is unreachable: ${reason(e)}`, { upstream: up.name });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new HttpError(502, 'upstream-bad-answer', `${up.name} answered ${res.status} with a body that is not JSON`, { upstream: up.name });
  }

  const schema = call.schemas[res.status];
  if (schema) {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new HttpError(502, 'upstream-contract', `${up.name} answered outside its contract`, { upstream: up.name, issues: parsed.error.issues.slice(0, 10) });
    }
    return { status: res.status, body: parsed.data };
  }
  const err = ErrorBody.safeParse(body);
  const message = err.success ? err.data.message : `status ${res.status}`;
  // 401 here means the two services disagree on the admin token, not that the user's token is bad.
  if (res.status === 401 || res.status === 403) {
    throw new HttpError(502, 'upstream-auth', `${up.name} rejected the admin token: WATCHKEEPER_ADMIN_TOKEN must be the same on the receiver and ${up.name}`, { upstream: up.name });
  }
  if (res.status >= 400 && res.status < 500 && err.success) return { status: res.status, body: err.data };
  throw new HttpError(502, 'upstream-error', `${up.name} failed: ${message}`, { upstream: up.name, status: res.status });
}

function reason(e: Error): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? e.message;
}
