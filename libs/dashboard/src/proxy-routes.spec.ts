import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import helmet from 'helmet';
import { HttpApi, jsonErrorHandler, notFoundHandler, unauthorized } from '@watchkeeper/http-api';
import { dashboardCsp, dashboardRouter } from './dashboard-router';
import { dashboardProxyRoutes } from './proxy-routes';

// The receiver's side of the proxy against small HTTP servers standing in for the heartbeat-server
// and alert-dispatcher (their real APIs are exercised by the e2e suite in test/).
const TOKEN = 'a-token-of-sixteen-chars';
const silence = {
  id: 's1',
  matchers: [{ name: 'type', value: 'x', isRegex: false, isEqual: true }],
  startsAt: '2026-11-25T10:00:00.000Z',
  endsAt: '2026-11-25T12:00:00.000Z',
  createdBy: 'ann',
  comment: 'maintenance',
  createdAt: '2026-11-25T10:00:00.000Z',
  status: 'active',
};
const listeners = { server: 'wk-server@localhost', generatedAt: '2026-11-25T10:00:00.000Z', intervalMs: 10000, timeoutMs: 5000, blind: [], inGrace: false, nodes: [], listeners: [] };

const quietLogger = { error: () => undefined, warn: () => undefined } as never;
let upstream: Server;
let receiver: Server;
let base: string;
const seen: Array<{ method: string; url: string; auth?: string; body?: unknown }> = [];
let listenersAnswer: { status: number; body: unknown } = { status: 200, body: listeners };

function listenOn(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
}
const port = (s: Server) => (s.address() as AddressInfo).port;

beforeAll(async () => {
  const up = express();
  up.use(express.json());
  up.use((req, _res, next) => {
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: req.body });
    next();
  });
  up.get('/v1/listeners', (_req, res) => void res.status(listenersAnswer.status).json(listenersAnswer.body));
  up.post('/v1/silences', (req, res) => void res.status(201).json({ ...silence, ...req.body, startsAt: silence.startsAt }));
  up.post('/v1/silences/:id/expire', (req, res) =>
    req.params.id === 's1' ? void res.json({ ...silence, status: 'expired', expiredBy: req.body.expiredBy }) : void res.status(404).json({ error: 'not-found', message: `no silence ${req.params.id}` }),
  );
  up.get('/v1/alerts', (req, res) => (req.headers.authorization === `Bearer ${TOKEN}` ? void res.json({ active: [], recent: [] }) : void res.status(401).json({ error: 'unauthorized', message: 'no' })));
  upstream = await listenOn(up);

  const api = new HttpApi({ title: 't', version: '1', securitySchemes: { adminToken: { description: 'admin' } } });
  const admin: express.RequestHandler = (req, _res, next) => next(req.headers.authorization === `Bearer ${TOKEN}` || req.headers.authorization === 'Bearer other-admin-token-000' ? undefined : unauthorized());
  const upstreamUrl = `http://127.0.0.1:${port(upstream)}`;
  dashboardProxyRoutes({ heartbeatServerUrl: upstreamUrl, alertDispatcherUrl: upstreamUrl, timeoutMs: 2000 })({ api, admin });
  const app = express();
  app.use(helmet());
  app.use(dashboardRouter());
  app.get('/', (_req, res) => void res.json({ service: 'x' }));
  app.use(api.router);
  app.use(notFoundHandler());
  app.use(jsonErrorHandler({ logger: quietLogger }));
  receiver = await listenOn(app);
  base = `http://127.0.0.1:${port(receiver)}`;
});

afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await new Promise((r) => upstream.close(r));
});

const auth = { authorization: `Bearer ${TOKEN}` };

describe('proxy routes', () => {
  it('need the admin token', async () => {
    expect((await fetch(`${base}/v1/proxy/heartbeat/listeners`)).status).toBe(401);
  });

  it('forward a read with the validated query and return the upstream answer', async () => {
    seen.length = 0;
    const res = await fetch(`${base}/v1/proxy/heartbeat/listeners?node=n1`, { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(listeners);
    expect(seen).toEqual([expect.objectContaining({ method: 'GET', url: '/v1/listeners?node=n1', auth: `Bearer ${TOKEN}` })]);
  });

  it('reject unknown query parameters before calling upstream', async () => {
    seen.length = 0;
    const res = await fetch(`${base}/v1/proxy/heartbeat/listeners?path=../../etc`, { headers: auth });
    expect(res.status).toBe(400);
    expect(seen).toHaveLength(0);
  });

  it('create and expire silences; an upstream 404 stays a 404', async () => {
    const body = { matchers: [{ name: 'type', value: 'x' }], endsAt: '2026-11-25T12:00:00.000Z', createdBy: 'ann', comment: 'maintenance' };
    const created = await fetch(`${base}/v1/proxy/alerts/silences`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 's1', createdBy: 'ann' });
    const expired = await fetch(`${base}/v1/proxy/alerts/silences/s1/expire`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ expiredBy: 'bob' }) });
    expect(await expired.json()).toMatchObject({ status: 'expired', expiredBy: 'bob' });
    const missing = await fetch(`${base}/v1/proxy/alerts/silences/nope/expire`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ expiredBy: 'bob' }) });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not-found' });
  });

  it('validate a silence before it leaves the receiver', async () => {
    seen.length = 0;
    const res = await fetch(`${base}/v1/proxy/alerts/silences`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ matchers: [], endsAt: 'soon' }) });
    expect(res.status).toBe(400);
    expect(seen).toHaveLength(0);
  });

  it('an answer outside the contract is a 502 naming the service', async () => {
    listenersAnswer = { status: 200, body: { listeners: 'nope' } };
    const res = await fetch(`${base}/v1/proxy/heartbeat/listeners`, { headers: auth });
    listenersAnswer = { status: 200, body: listeners };
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'upstream-contract', details: { upstream: 'heartbeat-server' } });
  });

  it('an upstream that rejects the shared token is a 502, not a 401 that would sign the user out', async () => {
    const res = await fetch(`${base}/v1/proxy/alerts/alerts`, { headers: { authorization: 'Bearer other-admin-token-000' } });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'upstream-auth' });
  });

  it('an unreachable upstream is a 502 naming it', async () => {
    const api = new HttpApi({ title: 't', version: '1' });
    dashboardProxyRoutes({ heartbeatServerUrl: 'http://127.0.0.1:9', alertDispatcherUrl: 'http://127.0.0.1:9' })({ api, admin: (_q, _s, n) => n() });
    const app = express();
    app.use(api.router);
    app.use(jsonErrorHandler({ logger: quietLogger }));
    const s = await listenOn(app);
    try {
      const res = await fetch(`http://127.0.0.1:${port(s)}/v1/proxy/alerts/recipients`);
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: 'upstream-unavailable', details: { upstream: 'alert-dispatcher' } });
    } finally {
      await new Promise((r) => s.close(r));
    }
  });
});

describe('dashboard pages', () => {
  it('serve the page to browsers at / with a CSP that allows only own scripts; JSON clients fall through', async () => {
    const page = await fetch(`${base}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(dashboardCsp);
    const text = await page.text();
    expect(text).toContain('<script type="module" src="/dashboard/assets/app.js"></script>');
    expect(text).not.toMatch(/<script>|\son[a-z]+=|https?:\/\//);
    expect(await (await fetch(`${base}/`)).json()).toEqual({ service: 'x' });
  });

  it('serve the assets and 404 what is not there', async () => {
    const js = await fetch(`${base}/dashboard/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${base}/dashboard/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/dashboard/assets/..%2f..%2fpackage.json`)).status).toBeGreaterThanOrEqual(400);
  });
});
