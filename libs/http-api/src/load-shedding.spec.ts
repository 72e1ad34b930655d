import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { createLogger, createMetrics } from '@watchkeeper/runtime';
import { jsonErrorHandler } from './error-handler';
import { LoadShedder } from './load-shedding';

describe('LoadShedder', () => {
  let server: Server;
  let base: string;
  let lag = 0;
  const registry = createMetrics('shed-test');
  const shedder = new LoadShedder({ maxInFlight: 2, maxEventLoopLagMs: 100, retryAfterSeconds: 2, registry, lagMs: () => lag, exempt: (req) => req.path === '/health' });
  const held: Array<() => void> = [];
  let handled = 0;

  beforeAll(async () => {
    const app = express();
    app.use(shedder.middleware());
    app.get('/health', (_req, res) => void res.json({ ok: true }));
    app.put('/slow', express.json(), async (_req, res) => {
      handled++;
      await new Promise<void>((r) => held.push(r));
      res.json({ ok: true });
    });
    app.use(jsonErrorHandler({ logger: createLogger({ service: 'shed-test', level: 'silent' }) }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const put = () => fetch(`${base}/slow`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
  const metric = async (reason: string) => Number(new RegExp(`watchkeeper_http_shed_total\\{reason="${reason}",service="shed-test"\\} (\\d+)`).exec(await registry.metrics())?.[1]);

  it('refuses requests beyond the in-flight limit at once with 503 + Retry-After, without running the handler, and counts them', async () => {
    const first = [put(), put()];
    while (handled < 2) await new Promise((r) => setTimeout(r, 5));
    expect(shedder.inFlight).toBe(2);
    const refused = await put();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(await refused.json()).toMatchObject({ error: 'overloaded', details: { reason: 'in-flight' } });
    expect(handled).toBe(2);
    expect((await fetch(`${base}/health`)).status).toBe(200); // exempt
    expect(await metric('in-flight')).toBe(1);

    for (const release of held.splice(0)) release();
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
    while (shedder.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    const again = put();
    while (handled < 3) await new Promise((r) => setTimeout(r, 5));
    held.splice(0).forEach((r) => r());
    expect((await again).status).toBe(200);
  });

  it('refuses while the event loop lags beyond the limit', async () => {
    lag = 250;
    const refused = await put();
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ details: { reason: 'event-loop-lag' } });
    expect(await metric('event-loop-lag')).toBe(1);
    lag = 5;
    const ok = put();
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    held.splice(0).forEach((r) => r());
    expect((await ok).status).toBe(200);
  });
});

describe('LoadShedder queue-time budget', () => {
  it('refuses only the queued requests while the estimated wait is over budget, and counts them', () => {
    let wait = 0;
    const shedder = new LoadShedder({ maxInFlight: 0, maxEventLoopLagMs: 0, queueWaitMs: () => wait, maxQueueWaitMs: 50, queued: (req) => req.method === 'PUT' });
    const put = { method: 'PUT' } as never;
    const get = { method: 'GET' } as never;
    expect(shedder.overloaded(put)).toBeUndefined();
    wait = 50;
    expect(shedder.overloaded(put)).toBeUndefined(); // at the budget, not over it
    wait = 51;
    expect(shedder.overloaded(put)).toBe('queue-time');
    expect(shedder.overloaded(get)).toBeUndefined();
  });
});

describe('LoadShedder outbox backlog bound', () => {
  const put = { method: 'PUT' } as never;
  const get = { method: 'GET' } as never;
  const shedderWith = (size: () => number, max: number, resumeBelow?: number) =>
    new LoadShedder({ maxInFlight: 0, maxEventLoopLagMs: 0, registry: createMetrics('backlog-test'), outboxBacklog: { size, max, resumeBelow, adds: (req) => req.method === 'PUT' } });

  it('refuses the requests that add to the backlog from the bound on, never the others, and accepts again below the resume mark', () => {
    let backlog = 0;
    const shedder = shedderWith(() => backlog, 100);
    expect(shedder.overloaded(put)).toBeUndefined();
    backlog = 99;
    expect(shedder.overloaded(put)).toBeUndefined();
    backlog = 100;
    expect(shedder.overloaded(put)).toBe('outbox-backlog');
    expect(shedder.overloaded(get)).toBeUndefined();
    // Hysteresis: still refused between the resume mark (90 % by default) and the bound…
    backlog = 95;
    expect(shedder.overloaded(put)).toBe('outbox-backlog');
    backlog = 90;
    expect(shedder.overloaded(put)).toBe('outbox-backlog');
    // …accepted again below it, and up to the bound again.
    backlog = 89;
    expect(shedder.overloaded(put)).toBeUndefined();
    backlog = 99;
    expect(shedder.overloaded(put)).toBeUndefined();
  });

  it('takes an explicit resume mark, and a bound of 0 bounds nothing', () => {
    let backlog = 10;
    const shedder = shedderWith(() => backlog, 10, 3);
    expect(shedder.overloaded(put)).toBe('outbox-backlog');
    backlog = 3;
    expect(shedder.overloaded(put)).toBe('outbox-backlog');
    backlog = 2;
    expect(shedder.overloaded(put)).toBeUndefined();
    expect(shedderWith(() => 1e9, 0).overloaded(put)).toBeUndefined();
  });

  it('answers a refused request at the front door with the shedder\'s 503 body and Retry-After, counted under its own reason', async () => {
    const registry = createMetrics('backlog-front');
    let backlog = 5;
    let handled = 0;
    const shedder = new LoadShedder({ maxInFlight: 0, maxEventLoopLagMs: 0, retryAfterSeconds: 4, registry, outboxBacklog: { size: () => backlog, max: 5, adds: (req) => req.method === 'PUT' } });
    const app = express();
    app.use((_req, res) => {
      handled++;
      res.json({ ok: true });
    });
    const server = createServer(shedder.front(app)).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const refused = await fetch(`${base}/v1/x`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('4');
      expect(await refused.json()).toEqual({ error: 'overloaded', message: expect.any(String), details: { reason: 'outbox-backlog' } });
      expect((await fetch(`${base}/v1/x`)).status).toBe(200); // a read adds nothing
      expect(handled).toBe(1);
      const count = async (reason: string) => Number(new RegExp(`watchkeeper_http_shed_total\\{reason="${reason}",service="backlog-front"\\} (\\d+)`).exec(await registry.metrics())?.[1]);
      expect(await count('outbox-backlog')).toBe(1);
      expect(await count('in-flight')).toBe(0);
      backlog = 0;
      expect((await fetch(`${base}/v1/x`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
