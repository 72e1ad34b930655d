import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { HttpApi, jsonErrorHandler, notFoundHandler, unauthorized } from '@watchkeeper/http-api';
import { dashboardIngestRoutes, type LagReading } from './ingest-routes';

const TOKEN = 'a-token-of-sixteen-chars';
let reading: LagReading | undefined;
let server: Server;
let base: string;

beforeAll(async () => {
  const api = new HttpApi({ title: 't', version: '1', securitySchemes: { adminToken: { description: 'admin' } } });
  const admin: express.RequestHandler = (req, _res, next) => next(req.headers.authorization === `Bearer ${TOKEN}` ? undefined : unauthorized());
  dashboardIngestRoutes({ sshLag: () => reading })({ api, admin });
  const app = express();
  app.use(api.router);
  app.use(notFoundHandler());
  app.use(jsonErrorHandler({ logger: { error: () => undefined, warn: () => undefined } as never }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('GET /v1/ingest', () => {
  const get = () => fetch(`${base}/v1/ingest`, { headers: { authorization: `Bearer ${TOKEN}` } });

  it('needs the admin token', async () => {
    expect((await fetch(`${base}/v1/ingest`)).status).toBe(401);
  });

  it('says null before the first reading, then how far the ssh consumer is behind', async () => {
    reading = undefined;
    expect(await (await get()).json()).toEqual({ sshEvents: null });
    reading = { group: 'g', topic: 'watchkeeper.ssh-events.v1', total: 148_319, at: Date.parse('2026-12-07T15:00:00Z') };
    expect(await (await get()).json()).toEqual({ sshEvents: { group: 'g', topic: 'watchkeeper.ssh-events.v1', behind: 148_319, readAt: '2026-12-07T15:00:00.000Z' } });
  });
});
