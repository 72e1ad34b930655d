import { z } from 'zod';
import { IsoDateTime } from '../common';

/** Every error answer of every Watchkeeper HTTP API. */
export const ErrorBody = z.object({
  error: z.string().describe('machine-readable code, e.g. validation-failed'),
  message: z.string().describe('what went wrong, for a person'),
  details: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const HealthResponse = z.object({ status: z.literal('ok') });

export const ReadinessResponse = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;

export const PingResponse = z.object({
  host: z.string(),
  serverTime: IsoDateTime,
  schemaVersion: z.string(),
});
