import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { createLogger, createMetrics } from '@watchkeeper/runtime';
import { jsonErrorHandler } from './error-handler';
import { LoadShedder } from './load-shedding';

// The front door: refusals decided at the HTTP server, before express sees the request.
describe('LoadShedder.front', () => {
  let server: Server;
  let base: string;
  let lag = 0;
  let reachedExpress = 0;
  const held: Array<() => void> = [];
  const registry = createMetrics('front-test');
  const shedder = new LoadShedder({ maxInFlight: 1, maxEventLoopLagMs: 100, retryAfterSeconds: 3, registry, lagMs: () => lag, exempt: (req) => req.baseUrl + req.path === '/v1/health' });

  beforeAll(async () => {
    const app = express();
    app.use((_req, _res, next) => {
      reachedExpress++;
      next();
    });
    app.use('/v1', shedder.middleware()); // as the receiver mounts it: the front door's admission passes it
    app.get('/v1/health', (_req, res) => void res.json({ ok: true }));
    app.put('/v1/slow', express.json(), async (_req, res) => {
      await new Promise<void>((r) => held.push(r));
      res.json({ ok: true });
    });
    app.use(jsonErrorHandler({ logger: createLogger({ service: 'front-test', level: 'silent' }) }));
    server = createServer(shedder.front(app)).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const put = () => fetch(`${base}/v1/slow?x=1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });

  it('admits up to the limit once (the middleware behind it does not count again), refuses the rest before express with the same answer', async () => {
    const first = put();
    while (held.length < 1) await new Promise((r) => setTimeout(r, 5));
    expect(shedder.inFlight).toBe(1);
    const before = reachedExpress;
    const refused = await put();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused.json()).toEqual({ error: 'overloaded', message: expect.any(String), details: { reason: 'in-flight' } });
    expect(reachedExpress).toBe(before); // decided before any framework work
    expect((await fetch(`${base}/v1/health`)).status).toBe(200); // exempt, by its path without the query
    held.splice(0).forEach((r) => r());
    expect((await first).status).toBe(200);
    while (shedder.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    expect(Number(/watchkeeper_http_shed_total\{reason="in-flight",service="front-test"\} (\d+)/.exec(await registry.metrics())?.[1])).toBe(1);
  });

  it('refuses while the event loop lags, and serves again once it does not', async () => {
    lag = 500;
    const before = reachedExpress;
    expect((await put()).status).toBe(503);
    expect(reachedExpress).toBe(before);
    lag = 0;
    const ok = put();
    while (held.length < 1) await new Promise((r) => setTimeout(r, 5));
    held.splice(0).forEach((r) => r());
    expect((await ok).status).toBe(200);
  });
});
