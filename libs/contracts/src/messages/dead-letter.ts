import { z } from 'zod';
import { IsoDateTime } from '../common';

/** A message a consumer could not take, kept byte for byte with the reason, for inspection and replay. */
export const DeadLetter = z.object({
  originalTopic: z.string(),
  partition: z.number().int().nonnegative(),
  offset: z.string(),
  consumerGroup: z.string(),
  reason: z.string(),
  /** base64 of the original key and value; null when absent. */
  keyBase64: z.string().nullable(),
  valueBase64: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  failedAt: IsoDateTime,
});
export type DeadLetter = z.infer<typeof DeadLetter>;
