import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { ReadinessResponse } from '@watchkeeper/contracts';
import type { Registry } from './metrics';

export type ReadinessCheck = () => Promise<boolean | { ok: boolean; detail?: string }>;

/**
 * `/healthz` says the process is alive (event loop turning); `/readyz` says its dependencies answer,
 * so an orchestrator stops routing to it without restarting it; `/metrics` is Prometheus text.
 */
export function opsRouter(opts: { registry: Registry; checks: Record<string, ReadinessCheck>; isStopping?: () => boolean }): express.Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks: ReadinessResponse['checks'] = {};
    await Promise.all(
      Object.entries(opts.checks).map(async ([name, check]) => {
        try {
          const r = await withTimeout(check(), 2000);
          checks[name] = typeof r === 'boolean' ? { ok: r } : r;
        } catch (err) {
          checks[name] = { ok: false, detail: (err as Error).message };
        }
      }),
    );
    if (opts.isStopping?.()) checks.shutdown = { ok: false, detail: 'stopping' };
    const ready = Object.values(checks).every((c) => c.ok);
    const body: ReadinessResponse = { status: ready ? 'ready' : 'not-ready', checks };
    res.status(ready ? 200 : 503).json(body);
  });
  router.get('/metrics', async (_req, res) => {
    res.set('Content-Type', opts.registry.contentType);
    res.send(await opts.registry.metrics());
  });
  return router;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export interface RunningServer {
  readonly server: http.Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens and resolves once bound; `close` stops intake and waits for in-flight requests. */
export async function listen(app: http.RequestListener, port: number, host = '0.0.0.0'): Promise<RunningServer> {
  const server = http.createServer(app);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
