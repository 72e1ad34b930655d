import type * as FastCheck from 'fast-check';
import { brokenRules, CONSTRAINTS_KEY, type CrossFieldRule } from '@watchkeeper/contracts';

type Schema = Record<string, any>;
type Fc = typeof FastCheck;
type Arb<T = unknown> = FastCheck.Arbitrary<T>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

interface Operation {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
  [CONSTRAINTS_KEY]?: CrossFieldRule[];
}

export interface FuzzRequest {
  operationId: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body?: string;
  /** Built from the schemas, cross-field rules kept, with valid credentials. */
  valid: boolean;
  /** What was broken on purpose, for the failure message. */
  fault?: string;
}

export interface OpenApiFuzzOptions {
  baseUrl: string;
  document: Record<string, unknown>;
  /** Valid credentials per security scheme (e.g. `{ adminToken: { authorization: 'Bearer …' } }`). */
  credentials: Record<string, Record<string, string>>;
  /** Values to use now and then for a path parameter (things that exist), by parameter name. */
  pathValues?: Record<string, string[]>;
  /** Relations the document states in words (a body's hash in a header…), or a test's own limits: applied to every request of the operation. */
  fixups?: Record<string, (req: FuzzRequest) => FuzzRequest>;
  /** Operations left out (e.g. streams that never end). */
  skip?: string[];
  /** Declared 5xx answers a test accepts (an upstream the test does not run: 502). */
  acceptedServerErrors?: number[];
  numRuns?: number;
  seed?: number;
  timeLimitMs?: number;
}

export interface FuzzAnswer {
  status: number;
  allow: string | null;
  contentType: string | null;
  text: string;
}

/**
 * Property-based fuzzing of an OpenAPI document against the running service: requests generated
 * from the document's own schemas (valid ones, ones with a fault, undeclared methods on declared
 * paths). Every answer must be a declared status, never a 5xx (except `acceptedServerErrors`),
 * a valid request is never a 400 or 401, and an undeclared method is a 405 with `Allow`.
 * Returns the statuses seen per operation (to show what was covered).
 */
export async function fuzzOpenApi(opts: OpenApiFuzzOptions): Promise<Record<string, Record<number, number>>> {
  const fc: Fc = await import('fast-check');
  const paths = opts.document.paths as Record<string, Record<string, Operation>>;
  const seen: Record<string, Record<number, number>> = {};
  const requests: Array<Arb<{ req: FuzzRequest; check: (a: FuzzAnswer) => void }>> = [];

  for (const [template, ops] of Object.entries(paths)) {
    const declared = Object.keys(ops).map((m) => m.toUpperCase());
    for (const [method, op] of Object.entries(ops)) {
      if (opts.skip?.includes(op.operationId)) continue;
      const statuses = Object.keys(op.responses).map(Number);
      const build = requestArb(fc, template, method.toUpperCase(), op, opts);
      requests.push(
        build.map((req) => ({
          req: opts.fixups?.[op.operationId] ? opts.fixups[op.operationId]!(req) : req,
          check: (a: FuzzAnswer) => {
            const what = `${req.method} ${req.path} (${req.valid ? 'valid' : `fault: ${req.fault}`}) → ${a.status} ${a.text.slice(0, 300)}`;
            if (a.status >= 500 && !opts.acceptedServerErrors?.includes(a.status)) throw new Error(`server error: ${what}`);
            if (!statuses.includes(a.status)) throw new Error(`undeclared status (declared: ${statuses.join(', ')}): ${what}`);
            if (req.valid && (a.status === 400 || a.status === 401)) throw new Error(`a request the document allows was refused: ${what}`);
            if (a.status >= 400 && a.contentType?.includes('json')) {
              const body = JSON.parse(a.text) as { error?: unknown; message?: unknown };
              if (typeof body.error !== 'string' || typeof body.message !== 'string') throw new Error(`error body without error/message: ${what}`);
            }
          },
        })),
      );
    }
    const undeclared = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'].filter((m) => !declared.includes(m));
    if (undeclared.length === 0) continue;
    const anyOp = Object.values(ops)[0]!;
    requests.push(
      fc.tuple(fc.constantFrom(...undeclared), pathArb(fc, template, anyOp.parameters ?? [], opts)).map(([method, path]) => ({
        req: { operationId: `(undeclared ${method} ${template})`, method, path, query: {}, headers: {}, valid: false, fault: 'undeclared method' },
        check: (a: FuzzAnswer) => {
          const allow = (a.allow ?? '').split(/,\s*/).filter((m) => m !== 'HEAD');
          if (a.status !== 405 || allow.sort().join() !== [...declared].sort().join()) {
            throw new Error(`${method} ${path}: expected 405 with Allow ${declared.join(', ')}, got ${a.status} Allow ${a.allow}`);
          }
        },
      })),
    );
  }

  await fc.assert(
    fc.asyncProperty(fc.oneof(...requests), async ({ req, check }) => {
      const answer = await send(opts.baseUrl, req);
      ((seen[req.operationId] ??= {})[answer.status] ??= 0);
      seen[req.operationId]![answer.status]! += 1;
      check(answer);
    }),
    { numRuns: opts.numRuns ?? 200, seed: opts.seed, interruptAfterTimeLimit: opts.timeLimitMs ?? 60_000, markInterruptAsFailure: false },
  );
  return seen;
}

async function send(baseUrl: string, req: FuzzRequest): Promise<FuzzAnswer> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query)) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, String(one));
  const url = `${baseUrl}${req.path}${qs.size ? `?${qs}` : ''}`;
  const abort = new AbortController();
  const res = await fetch(url, { method: req.method, headers: req.headers, body: req.body, signal: abort.signal });
  const contentType = res.headers.get('content-type');
  // A stream (server-sent events) never ends: its status and headers are the answer.
  const text = contentType?.includes('text/event-stream') ? (abort.abort(), '') : await res.text();
  return { status: res.status, allow: res.headers.get('allow'), contentType, text };
}

function pathArb(fc: Fc, template: string, parameters: Parameter[], opts: OpenApiFuzzOptions): Arb<string> {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return fc.constant(template);
  const parts = names.map((n) => {
    const p = parameters.find((x) => x.name === n && x.in === 'path');
    const gen = p ? (valueArb(fc, p.schema) as Arb<unknown>).map(String) : fc.string({ minLength: 1, maxLength: 10 });
    const known = opts.pathValues?.[n];
    return known?.length ? fc.oneof(gen, fc.constantFrom(...known)) : gen;
  });
  return fc.tuple(...parts).map((vals) => names.reduce((p, n, i) => p.replace(`{${n}}`, encodeSegment(vals[i]!)), template));
}

/** One path segment as sent: dots too, so `..` stays a value and is not resolved away by the URL. */
const encodeSegment = (v: string) => encodeURIComponent(v).replace(/\./g, '%2E');

function requestArb(fc: Fc, template: string, method: string, op: Operation, opts: OpenApiFuzzOptions): Arb<FuzzRequest> {
  const params = op.parameters ?? [];
  const query = objectOf(fc, params.filter((p) => p.in === 'query'));
  const headers = objectOf(fc, params.filter((p) => p.in === 'header'));
  const json = op.requestBody?.content['application/json']?.schema;
  const raw = op.requestBody && !json ? Object.keys(op.requestBody.content)[0] : undefined;
  const rules = op[CONSTRAINTS_KEY] ?? [];
  const bodyRules = (json?.[CONSTRAINTS_KEY] as CrossFieldRule[] | undefined) ?? [];
  const body: Arb<unknown> = json ? valueArb(fc, json).filter((b) => brokenRules(bodyRules, b as Record<string, unknown>).length === 0) : raw ? fc.string({ maxLength: 200 }) : fc.constant(undefined);
  const scheme = Object.keys(op.security?.[0] ?? {})[0];
  const auth = scheme ? opts.credentials[scheme] ?? {} : {};

  const valid = fc
    .record({ path: pathArb(fc, template, params, opts), query: query.filter((q) => brokenRules(rules, q).length === 0), headers, body })
    .map(({ path, query: q, headers: h, body: b }) => ({
      operationId: op.operationId,
      method,
      path,
      query: q,
      headers: { ...stringValues(h), ...auth, ...(json ? { 'content-type': 'application/json' } : raw ? { 'content-type': raw } : {}) },
      body: json ? JSON.stringify(b) : (b as string | undefined),
      valid: true,
    }));
  const junk = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', '-1', '0', '1e999', 'null', '[]', '..', 'x'.repeat(600)));
  const faults: Array<Arb<(r: FuzzRequest) => FuzzRequest>> = [
    fc.constant((r: FuzzRequest) => ({ ...r, headers: withoutAuth(r.headers), fault: 'no credentials' })),
    fc.tuple(fc.constantFrom(...params.filter((p) => p.in === 'query').map((p) => p.name), 'unexpected'), junk).map(([name, v]) => (r: FuzzRequest) => ({ ...r, query: { ...r.query, [name]: v }, fault: `query ${name}=${JSON.stringify(v)}` })),
  ];
  if (json) faults.push(fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), junk).map((b) => (r: FuzzRequest) => ({ ...r, body: b, fault: `body ${b.slice(0, 80)}` })));
  const pathNames = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  if (pathNames.length > 0) {
    faults.push(
      // Not '.' or '..': the URL parser removes a dot segment (even as %2E%2E) with the one before it,
      // so the request would reach another route rather than carry a bad parameter.
      fc.tuple(fc.constantFrom(...pathNames), junk.filter((v) => v.length > 0 && v !== '.' && v !== '..')).map(([name, v]) => (r: FuzzRequest) => {
        const segments = template.split('/');
        const at = segments.indexOf(`{${name}}`);
        const path = r.path.split('/').map((seg, i) => (i === at ? encodeSegment(v) : seg)).join('/');
        return { ...r, path, fault: `path ${name}=${JSON.stringify(v)}` };
      }),
    );
  }
  const faulty = fc.tuple(valid, fc.oneof(...faults)).map(([r, f]) => ({ ...f(r), valid: false }));
  return fc.oneof({ arbitrary: valid, weight: 2 }, { arbitrary: faulty, weight: 1 });
}

function withoutAuth(h: Record<string, string>): Record<string, string> {
  const { authorization: _drop, ...rest } = h;
  return rest;
}

function stringValues(o: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
}

function objectOf(fc: Fc, params: Parameter[]): Arb<Record<string, unknown>> {
  const model = Object.fromEntries(params.map((p) => [p.name, valueArb(fc, p.schema)]));
  return fc.record(model, { requiredKeys: params.filter((p) => p.required).map((p) => p.name) }) as Arb<Record<string, unknown>>;
}

const SAFE_REGEXES = ['^a', 'b$', '.*', '[0-9]+', 'x|y', '(ab)?c'];

/** Values a JSON Schema (the subset zod writes) accepts. */
export function valueArb(fc: Fc, s: Schema): Arb<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) return fc.oneof(...((s.anyOf ?? s.oneOf) as Schema[]).map((x) => valueArb(fc, x)));
  if (Array.isArray(s.type)) return fc.oneof(...(s.type as string[]).map((t) => valueArb(fc, { ...s, type: t })));
  switch (s.type) {
    case 'string':
      return stringArb(fc, s);
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1e6, s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1e6), max: Math.min(s.maximum ?? 1e6, s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1e6) });
    case 'number':
      return fc.double({ min: s.minimum ?? s.exclusiveMinimum ?? -1e6, max: s.maximum ?? s.exclusiveMaximum ?? 1e6, noNaN: true, minExcluded: s.exclusiveMinimum !== undefined, maxExcluded: s.exclusiveMaximum !== undefined });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(s.items ? valueArb(fc, s.items) : fc.string(), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, (s.minItems ?? 0) + 3) });
    case 'object':
      return objectArb(fc, s);
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

function objectArb(fc: Fc, s: Schema): Arb<unknown> {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  if (Object.keys(props).length === 0 && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), valueArb(fc, s.additionalProperties), { maxKeys: 3 });
  }
  const base = fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueArb(fc, v)])), { requiredKeys: (s.required ?? []) as string[] }) as Arb<Record<string, unknown>>;
  if (!s.if || !s.then) return base;
  // `if` with constant properties, `then` with stricter property schemas (the shape zod's meta writes here).
  const ifProps = (s.if.properties ?? {}) as Record<string, Schema>;
  const thenProps = (s.then.properties ?? {}) as Record<string, Schema>;
  return base.chain((o) => {
    const holds = Object.entries(ifProps).every(([k, v]) => k in o && o[k] === v.const);
    if (!holds) return fc.constant(o);
    return fc.record(Object.fromEntries(Object.entries(thenProps).map(([k, v]) => [k, valueArb(fc, { ...props[k], ...v })]))).map((over) => ({ ...o, ...over }));
  });
}

function stringArb(fc: Fc, s: Schema): Arb<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? min + 40;
  const patterns = [s.pattern, ...((s.allOf ?? []) as Schema[]).map((x) => x.pattern)].filter((p): p is string => typeof p === 'string').map((p) => new RegExp(p, 'u'));
  let arb: Arb<string>;
  if (s.format === 'regex') arb = fc.constantFrom(...SAFE_REGEXES);
  else if (s.format === 'date-time') arb = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
  else if (s.format === 'date') arb = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  else if (patterns.length > 0) arb = fc.stringMatching(patterns.find((p) => !p.source.includes('(?!')) ?? /^[a-z]+$/);
  else arb = fc.string({ minLength: min, maxLength: Math.min(max, min + 40) });
  return arb.filter((v) => v.length >= min && v.length <= max && patterns.every((p) => p.test(v)));
}
