import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { CONSTRAINTS_KEY, ErrorBody } from '@watchkeeper/contracts';
import { HttpError } from './errors';
import { parseInput } from './validate';

export type Method = 'get' | 'put' | 'post' | 'delete';

/** What a handler answers; a handler that streams or writes by itself returns nothing. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  headers?: Record<string, string>;
}

export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, H extends z.ZodType = z.ZodType> {
  method: Method;
  /** Express syntax (`/v1/hosts/:host`); shown as `/v1/hosts/{host}` in the OpenAPI document. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Names of security schemes from the API options; empty or absent: no auth. */
  security?: string[];
  params?: P;
  query?: Q;
  /** JSON body, parsed with the size limit and validated. */
  body?: B;
  /** false: a request without a body is taken as `{}` (the body schema's defaults). Default true. */
  bodyRequired?: boolean;
  /** A body the handler streams itself (uploads); only documented here. */
  rawBody?: { contentType: string; description: string };
  /** Request headers validated (and documented) like the other parts. */
  headers?: H;
  responses: Record<number, ResponseSpec>;
  /** Runs before validation, e.g. authentication. */
  before?: RequestHandler[];
  handler: (input: { params: z.output<P>; query: z.output<Q>; body: z.output<B>; headers: z.output<H> }, req: Request, res: Response) => Promise<Reply | void>;
}

export interface HttpApiOptions {
  title: string;
  version: string;
  description?: string;
  securitySchemes?: Record<string, { description: string }>;
  /** Largest accepted JSON body, e.g. '1mb'. */
  jsonLimit?: string;
  /** Check every JSON answer against its documented schema (tests); a mismatch is a 500. */
  validateResponses?: boolean;
  /** Every operation may answer 503 (a database behind it, load shedding); default true. */
  mayBeUnavailable?: boolean;
}

const errorDescriptions: Record<number, string> = {
  400: 'invalid input; `details` lists every problem',
  401: 'missing or unknown bearer token',
  403: 'the token may not act on this resource',
  404: 'not found',
  405: 'the path does not take this method; `Allow` lists the ones it does',
  409: 'conflicts with what is stored',
  412: 'precondition failed',
  413: 'body too large',
  415: 'unsupported content type',
  503: 'a dependency (the database) is unavailable; retry after `Retry-After` seconds',
};

/**
 * Routes declared once, with their zod contracts: the same declaration validates requests, registers
 * the express handler and writes the OpenAPI 3.1 document, so the document cannot drift from the code.
 */
export class HttpApi {
  readonly router = express.Router();
  /**
   * Mounted after `router`: a declared path asked with a method it does not declare is a 405 naming
   * the methods it does (`Allow`), not a 404. (OPTIONS is express's: 200 with the same `Allow`.)
   */
  readonly methodNotAllowed = express.Router();
  private readonly routes: RouteSpec[] = [];
  private readonly chains = new Map<string, RequestHandler[]>();
  private readonly methodsByPath = new Map<string, Set<string>>();

  constructor(private readonly opts: HttpApiOptions) {}

  route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, H extends z.ZodType>(spec: RouteSpec<P, Q, B, H>): void {
    this.routes.push(spec as unknown as RouteSpec);
    const chain: RequestHandler[] = [...(spec.before ?? [])];
    if (spec.body) chain.push(requireJson(spec.bodyRequired === false), express.json({ limit: this.opts.jsonLimit ?? '1mb', strict: false }));
    chain.push(async (req, res) => {
      const input = {
        params: spec.params ? parseInput(spec.params, req.params, 'params') : req.params,
        query: spec.query ? parseInput(spec.query, req.query ?? {}, 'query') : undefined,
        body: spec.body ? parseInput(spec.body, req.body, 'body') : undefined,
        headers: spec.headers ? parseInput(spec.headers, req.headers, 'headers') : undefined,
      };
      const reply = await spec.handler(input as never, req, res);
      if (!reply) return;
      const schema = spec.responses[reply.status]?.schema;
      if (this.opts.validateResponses && schema) {
        const r = schema.safeParse(reply.body);
        if (!r.success) throw new Error(`${spec.operationId} answered ${reply.status} outside its schema: ${r.error.message}`);
      }
      res.status(reply.status);
      if (reply.headers) res.set(reply.headers);
      res.json(reply.body);
    });
    this.router[spec.method](spec.path, ...chain);
    this.chains.set(spec.operationId, chain);
    this.declareMethod(spec.path, spec.method);
  }

  private declareMethod(path: string, method: Method): void {
    let methods = this.methodsByPath.get(path);
    if (!methods) {
      const known = (methods = new Set());
      this.methodsByPath.set(path, known);
      this.methodNotAllowed.all(path, (req, res, next) => {
        const allow = [...known].flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).sort().join(', ');
        next(new HttpError(405, 'method-not-allowed', `${req.method} is not allowed on ${path}; use ${allow}`, undefined, { Allow: allow }));
      });
    }
    methods.add(method.toUpperCase());
  }

  /**
   * A declared route's handlers (auth, body parsing, validation, handler), to mount it ahead of other
   * middleware as well — for a hot route that should not walk every router before it.
   */
  handlers(operationId: string): RequestHandler[] {
    const chain = this.chains.get(operationId);
    if (!chain) throw new Error(`no route with operationId ${operationId}`);
    return chain;
  }

  /** The OpenAPI 3.1 document of every declared route. */
  openapi(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const p = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      (paths[p] ??= {})[r.method] = this.operation(r);
    }
    const schemes = Object.fromEntries(
      Object.entries(this.opts.securitySchemes ?? {}).map(([name, s]) => [name, { type: 'http', scheme: 'bearer', description: s.description }]),
    );
    return {
      openapi: '3.1.0',
      info: { title: this.opts.title, version: this.opts.version, ...(this.opts.description ? { description: this.opts.description } : {}) },
      paths,
      components: { schemas: { ErrorBody: jsonSchema(ErrorBody) }, securitySchemes: schemes },
    };
  }

  private operation(r: RouteSpec): Record<string, unknown> {
    const parameters = [
      ...toParameters(r.params, 'path'),
      ...toParameters(r.query, 'query'),
      ...toParameters(r.headers, 'header'),
    ];
    // Rules between parameters (from ≤ to…) cannot sit on one parameter: stated on the operation.
    const parameterConstraints = [r.params, r.query, r.headers].flatMap((s) => (s ? ((jsonSchema(s)[CONSTRAINTS_KEY] as unknown[] | undefined) ?? []) : []));
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      const isError = Number(status) >= 400;
      const schema = spec.schema ? jsonSchema(spec.schema, 'output') : isError ? { $ref: '#/components/schemas/ErrorBody' } : undefined;
      responses[status] = {
        description: spec.description,
        ...(schema ? { content: { 'application/json': { schema } } } : {}),
        ...(spec.headers ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
      };
    }
    const errors = new Set<number>([400]);
    if (this.opts.mayBeUnavailable ?? true) errors.add(503);
    if (r.security?.length) errors.add(401);
    if (r.body) for (const s of [413, 415]) errors.add(s);
    for (const s of errors) responses[String(s)] ??= { description: errorDescriptions[s], content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } };
    const requestBody = r.body
      ? { required: r.bodyRequired !== false, content: { 'application/json': { schema: jsonSchema(r.body) } } }
      : r.rawBody
        ? { required: true, description: r.rawBody.description, content: { [r.rawBody.contentType]: { schema: { type: 'string', contentMediaType: r.rawBody.contentType } } } }
        : undefined;
    return {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: r.tags,
      security: (r.security ?? []).map((s) => ({ [s]: [] })),
      ...(parameters.length ? { parameters } : {}),
      ...(parameterConstraints.length ? { [CONSTRAINTS_KEY]: parameterConstraints } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
    };
  }
}

/** A known error description, for routes that list extra error statuses. */
export function errorResponse(status: number, description = errorDescriptions[status] ?? 'error'): ResponseSpec {
  return { description };
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function toParameters(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): Array<Record<string, unknown>> {
  if (!schema) return [];
  const json = jsonSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

/**
 * A JSON route needs a body sent as application/json (415 otherwise); without one it gets `{}` when
 * `emptyOk` (the route's bodyRequired: false), else 400.
 */
function requireJson(emptyOk: boolean): RequestHandler {
  return (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody && emptyOk) {
      req.body = {};
      return next();
    }
    if (!hasBody) return next(new HttpError(400, 'missing-body', 'this route needs a JSON body'));
    if (!req.is('application/json')) return next(new HttpError(415, 'unsupported-media-type', 'send the body as application/json'));
    // JSON is UTF-8 (RFC 8259); other charsets would be decoded into something the client did not send.
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') return next(new HttpError(415, 'unsupported-media-type', `charset ${charset} is not accepted: send UTF-8 JSON`));
    next();
  };
}
