import { Writable } from 'node:stream';
import express from 'express';
import { z } from 'zod';
import { backoffDelay, ConfigError, createLogger, createMetrics, env, listen, loadConfig, opsRouter } from './index';

describe('loadConfig', () => {
  const schema = z.object({ RECEIVER_PORT: env.port(8080), KAFKA_BROKERS: env.kafkaBrokers(), WATCHKEEPER_ADMIN_TOKEN: env.adminToken() });

  it('applies defaults and parses lists', () => {
    const c = loadConfig(schema, { WATCHKEEPER_ADMIN_TOKEN: 'x'.repeat(20), KAFKA_BROKERS: 'a:1, b:2' });
    expect(c).toEqual({ RECEIVER_PORT: 8080, KAFKA_BROKERS: ['a:1', 'b:2'], WATCHKEEPER_ADMIN_TOKEN: 'x'.repeat(20) });
  });

  it('names every bad or missing variable', () => {
    try {
      loadConfig(schema, { RECEIVER_PORT: 'eighty', KAFKA_BROKERS: 'nohostport' });
      throw new Error('should have failed');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain('RECEIVER_PORT');
      expect(msg).toContain('KAFKA_BROKERS');
      expect(msg).toMatch(/WATCHKEEPER_ADMIN_TOKEN.*not set/);
    }
  });
});

describe('logger', () => {
  it('writes JSON lines and redacts secrets', () => {
    const lines: string[] = [];
    const dest = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
    const log = createLogger({ service: 'test', destination: dest as never });
    log.info({ req: { headers: { authorization: 'Bearer s3cret' } }, user: { password: 'hunter2' } }, 'hello');
    const rec = JSON.parse(lines[0]);
    expect(rec).toMatchObject({ level: 'info', service: 'test', msg: 'hello' });
    expect(lines[0]).not.toContain('s3cret');
    expect(lines[0]).not.toContain('hunter2');
  });
});

describe('backoffDelay', () => {
  it('grows exponentially and stays under the cap', () => {
    expect(backoffDelay(1, { baseMs: 100, random: () => 1 })).toBe(100);
    expect(backoffDelay(4, { baseMs: 100, random: () => 1 })).toBe(800);
    expect(backoffDelay(30, { baseMs: 100, maxMs: 5000, random: () => 1 })).toBe(5000);
  });

  it('has full jitter: anywhere from 0 to the ceiling', () => {
    expect(backoffDelay(4, { baseMs: 100, random: () => 0 })).toBe(0);
    expect(backoffDelay(4, { baseMs: 100, random: () => 0.25 })).toBe(200);
    expect(backoffDelay(30, { baseMs: 100, maxMs: 5000, random: () => 0.5 })).toBe(2500);
  });
});

describe('ops endpoints', () => {
  it('answer healthz, readyz (503 when a check fails) and metrics', async () => {
    let dbUp = true;
    const app = express();
    app.use(opsRouter({ registry: createMetrics('t'), checks: { db: async () => dbUp } }));
    const srv = await listen(app, 0, '127.0.0.1');
    const base = `http://127.0.0.1:${srv.port}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      dbUp = false;
      const r = await fetch(`${base}/readyz`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ status: 'not-ready', checks: { db: { ok: false } } });
      const m = await (await fetch(`${base}/metrics`)).text();
      expect(m).toContain('watchkeeper_process_cpu_user_seconds_total');
    } finally {
      await srv.close();
    }
  });
});

describe('sleep', () => {
  it('ends early on abort and leaves no abort listener behind after a normal end', async () => {
    const { sleep } = await import('./backoff');
    // In Node ≥ 15 it takes an EventTarget too; this @types/node types it for emitters only.
    const { getEventListeners } = (await import('node:events')) as unknown as { getEventListeners: (target: EventTarget, name: string) => unknown[] };
    const ac = new AbortController();
    for (let i = 0; i < 20; i++) await sleep(1, ac.signal);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    const t0 = Date.now();
    const pending = sleep(10_000, ac.signal);
    ac.abort();
    await pending;
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
