import { z } from 'zod';

/**
 * Rules between two fields of one object, which JSON Schema cannot state: declared once, they are
 * both the zod check the server runs and the `x-constraints` list in the JSON Schema / OpenAPI
 * document (so a client or a fuzzer can tell a valid request before sending it).
 * Values are ISO dates or date-times; a rule holds when one of its fields is absent.
 */
export type CrossFieldRule =
  /** `lower` ≤ `upper` (or < when strict). */
  | { rule: 'order'; lower: string; upper: string; strict: boolean; message: string }
  /** Dates `from`..`to` span at most `days` calendar days, both ends counted. */
  | { rule: 'maxSpanDays'; from: string; to: string; days: number; message: string }
  /** Date-times: `to` − `from` is at most `days` × 24 hours. */
  | { rule: 'maxDurationDays'; from: string; to: string; days: number; message: string };

export const CONSTRAINTS_KEY = 'x-constraints';

const millis = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : Number.NaN);

/** The rules a value breaks, with the field each one names. */
export function brokenRules(rules: readonly CrossFieldRule[], value: Record<string, unknown>): Array<{ rule: CrossFieldRule; path: string }> {
  const out: Array<{ rule: CrossFieldRule; path: string }> = [];
  for (const r of rules) {
    if (r.rule === 'order') {
      const a = millis(value[r.lower]);
      const b = millis(value[r.upper]);
      if (Number.isNaN(a) || Number.isNaN(b)) continue;
      if (r.strict ? !(a < b) : !(a <= b)) out.push({ rule: r, path: r.upper });
    } else {
      const a = millis(value[r.from]);
      const b = millis(value[r.to]);
      if (Number.isNaN(a) || Number.isNaN(b)) continue;
      const days = (b - a) / 86_400_000;
      if (r.rule === 'maxSpanDays' ? days + 1 > r.days : days > r.days) out.push({ rule: r, path: r.to });
    }
  }
  return out;
}

/** The object with its cross-field rules checked and stated in its JSON Schema. */
export function withCrossFieldRules<T extends z.ZodType<Record<string, unknown>>>(schema: T, rules: CrossFieldRule[]): T {
  return schema
    .superRefine((value, ctx) => {
      for (const { rule, path } of brokenRules(rules, value)) ctx.addIssue({ code: 'custom', message: rule.message, path: [path] });
    })
    .meta({ [CONSTRAINTS_KEY]: rules }) as T;
}
