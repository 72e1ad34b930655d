import type { z } from 'zod';
import { HttpError } from './errors';

export type InputPart = 'params' | 'query' | 'body' | 'headers';

/** One line per problem, naming where it is: `params.host: host must be…`. */
export function describeIssues(part: string, issues: z.core.$ZodIssue[]): Array<{ path: string; message: string }> {
  return issues.map((i) => ({ path: [part, ...i.path.map(String)].join('.'), message: i.message }));
}

/** Parses one part of a request against its contract; a mismatch is a 400 that names every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = describeIssues(part, r.error.issues);
  const first = issues[0];
  return throwError(new HttpError(400, 'validation-failed', `invalid ${part}: ${first ? `${first.path}: ${first.message}` : 'does not match its schema'}`, issues));
}

function throwError(err: Error): never {
  throw err;
}
