import { z } from 'zod';
import { IsoDateTime } from '../common';

/** One consumer's distance from the end of its topic, as last read from the broker. */
export const ConsumerBacklog = z.object({
  topic: z.string(),
  group: z.string(),
  /** Messages not yet committed by the group (high watermark minus committed offset, over partitions). */
  behind: z.number().int().nonnegative(),
  readAt: IsoDateTime,
});
export type ConsumerBacklog = z.infer<typeof ConsumerBacklog>;

/** `GET /v1/ingest`: how far the receiver's consumers are behind; null before the first reading. */
export const IngestStatusResponse = z.object({ sshEvents: ConsumerBacklog.nullable() });
export type IngestStatusResponse = z.infer<typeof IngestStatusResponse>;
