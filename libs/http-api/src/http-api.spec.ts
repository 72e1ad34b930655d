import express from 'express';
import { z } from 'zod';
import { createLogger, listen } from '@watchkeeper/runtime';
import { withCrossFieldRules } from '@watchkeeper/contracts';
import { HttpApi, HttpError, jsonErrorHandler, notFoundHandler, serviceUnavailable } from './index';

describe('HttpApi', () => {
  const api = new HttpApi({ title: 't', version: '1', validateResponses: true, jsonLimit: '1kb', securitySchemes: { admin: { description: 'x' } } });
  api.route({
    method: 'put',
    path: '/items/:id',
    operationId: 'putItem',
    summary: 'put',
    tags: ['t'],
    security: ['admin'],
    params: z.object({ id: z.string().regex(/^[a-z]+$/) }),
    query: z.object({ dry: z.enum(['yes', 'no']).optional() }),
    body: z.object({ n: z.number() }).strict(),
    responses: { 200: { description: 'ok', schema: z.object({ id: z.string(), n: z.number() }) } },
    handler: async ({ params, body, query }) => {
      if (query.dry === 'yes') return { status: 200, body: { wrong: true } }; // breaks its own schema
      if (body.n < 0) throw serviceUnavailable('down', 7);
      return { status: 200, body: { id: params.id, n: body.n } };
    },
  });

  api.route({
    method: 'get',
    path: '/items/:id',
    operationId: 'getItem',
    summary: 'get',
    tags: ['t'],
    query: withCrossFieldRules(z.object({ from: z.string().optional(), to: z.string().optional() }), [{ rule: 'order', lower: 'from', upper: 'to', strict: true, message: 'from before to' }]),
    responses: { 200: { description: 'ok', schema: z.object({ id: z.string() }) } },
    handler: async ({ params }) => ({ status: 200, body: { id: (params as { id: string }).id } }),
  });

  api.route({
    method: 'post',
    path: '/notes',
    operationId: 'addNote',
    summary: 'every body field optional',
    tags: ['t'],
    body: z.object({ label: z.string().default('none') }).strict(),
    bodyRequired: false,
    responses: { 201: { description: 'made', schema: z.object({ label: z.string() }) } },
    handler: async ({ body }) => ({ status: 201, body: { label: body.label } }),
  });

  const app = express();
  app.use(api.router);
  app.use(api.methodNotAllowed);
  app.use(notFoundHandler());
  app.use(jsonErrorHandler({ logger: createLogger({ service: 't', level: 'silent' }), classify: (e) => ((e as Error).message === 'db' ? new HttpError(503, 'x', 'y') : undefined) }));

  async function call(path: string, init: RequestInit = {}) {
    const srv = await listen(app, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${srv.port}${path}`, init);
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
    } finally {
      await srv.close();
    }
  }
  const put = (path: string, body: string, type = 'application/json') => call(path, { method: 'PUT', headers: { 'content-type': type }, body });

  it('validates every part and names each bad field', async () => {
    expect(await put('/items/abc', '{"n":1}')).toMatchObject({ status: 200, body: { id: 'abc', n: 1 } });
    const bad = await put('/items/ABC?dry=maybe', '{"n":"1","x":2}');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('validation-failed');
    expect((bad.body.details as Array<{ path: string }>).map((d) => d.path)).toEqual(['params.id']);
    const badBody = await put('/items/abc', '{"n":"1","x":2}');
    expect((badBody.body.details as Array<{ path: string }>).map((d) => d.path).sort()).toEqual(['body', 'body.n']);
  });

  it('takes a request without a body as {} on a route whose body is not required, and needs one elsewhere', async () => {
    expect(await call('/notes', { method: 'POST' })).toMatchObject({ status: 201, body: { label: 'none' } });
    expect(await call('/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"label":"x"}' })).toMatchObject({ status: 201, body: { label: 'x' } });
    expect(await call('/items/abc', { method: 'PUT' })).toMatchObject({ status: 400, body: { error: 'missing-body' } });
    const doc = api.openapi() as { paths: Record<string, any> };
    expect(doc.paths['/notes'].post.requestBody.required).toBe(false);
    expect(doc.paths['/items/{id}'].put.requestBody.required).toBe(true);
  });

  it('maps malformed JSON, oversize, wrong media type and unknown routes to 4xx', async () => {
    expect((await put('/items/abc', '{"n":')).body.error).toBe('malformed-json');
    expect((await put('/items/abc', JSON.stringify({ n: 1, pad: 'x'.repeat(2000) }))).status).toBe(413);
    expect((await put('/items/abc', '{"n":1}', 'text/plain')).status).toBe(415);
    expect((await put('/items/abc', '{"n":1}', 'application/json; charset=latin1')).status).toBe(415);
    expect(await call('/nope')).toMatchObject({ status: 404, body: { error: 'not-found' } });
  });

  it('answers an undeclared method on a declared path with 405 and Allow; OPTIONS lists them', async () => {
    const del = await call('/items/abc', { method: 'DELETE' });
    expect(del).toMatchObject({ status: 405, body: { error: 'method-not-allowed' } });
    expect(del.headers.get('allow')).toBe('GET, HEAD, PUT');
    const srv = await listen(app, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${srv.port}/items/abc`, { method: 'OPTIONS' });
      expect([res.status, res.headers.get('allow')]).toEqual([200, 'GET, HEAD, PUT']);
    } finally {
      await srv.close();
    }
  });

  it('checks cross-field rules and states them on the operation', async () => {
    expect((await call('/items/abc?from=2026-01-02&to=2026-01-01')).status).toBe(400);
    expect((await call('/items/abc?from=2026-01-01&to=2026-01-02')).status).toBe(200);
    const op = (api.openapi() as { paths: Record<string, any> }).paths['/items/{id}'].get;
    expect(op['x-constraints']).toEqual([{ rule: 'order', lower: 'from', upper: 'to', strict: true, message: 'from before to' }]);
  });

  it('keeps the status and headers of known errors; an answer outside its schema is a 500 without internals', async () => {
    const down = await put('/items/abc', '{"n":-1}');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('7');
    const broken = await put('/items/abc?dry=yes', '{"n":1}');
    expect(broken).toMatchObject({ status: 500, body: { error: 'internal-error' } });
    expect(JSON.stringify(broken.body)).not.toContain('wrong');
  });

  it('writes an OpenAPI 3.1 operation from the same schemas', () => {
    const doc = api.openapi() as { openapi: string; paths: Record<string, any>; components: any };
    expect(doc.openapi).toBe('3.1.0');
    const op = doc.paths['/items/{id}'].put;
    expect(op.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z]+$' } },
      { name: 'dry', in: 'query', required: false, schema: { type: 'string', enum: ['yes', 'no'] } },
    ]);
    expect(op.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['n'], additionalProperties: false });
    expect(Object.keys(op.responses)).toEqual(['200', '400', '401', '413', '415', '503']);
    expect(doc.components.securitySchemes.admin).toEqual({ type: 'http', scheme: 'bearer', description: 'x' });
  });
});
