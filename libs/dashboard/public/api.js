// The one way the pages talk to the receiver: same origin, admin bearer token from this tab's
// sessionStorage, JSON in and out, errors as ApiError with the server's message.
const TOKEN_KEY = 'watchkeeper.adminToken';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** "alert-dispatcher unreachable" rather than a status code, when the server said which service failed. */
  get short() {
    const upstream = this.details && this.details.upstream;
    if (this.status === 0) return 'receiver unreachable';
    if (upstream && this.code === 'upstream-unavailable') return `${upstream} unreachable`;
    if (upstream && this.code === 'upstream-timeout') return `${upstream} not answering`;
    if (upstream) return `${upstream}: ${this.message}`;
    return this.message;
  }
}

export const auth = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** Called when the server rejects the token (401): the app shows the sign-in form again. */
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export async function request(path, { method = 'GET', body, token = auth.token, signal } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'the receiver is unreachable');
  }
  let data;
  try {
    data = await res.json();
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const e = new ApiError(res.status, (data && data.error) || 'http-' + res.status, (data && data.message) || `HTTP ${res.status}`, data && data.details);
    if (res.status === 401 && token === auth.token) onUnauthorized(e);
    throw e;
  }
  return data;
}

/** Query string from an object, skipping empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
