import { z } from 'zod';
import { HostName, IsoDateTime } from '../common';

/** A host's self-check report as it sent it; the receiver only stamps and stores it. */
export const HostHealthReport = z.record(z.string(), z.unknown());

export const HostHealthSnapshot = z.object({
  host: HostName,
  /** The receiver's clock, not the host's. */
  receivedAt: IsoDateTime,
  report: HostHealthReport,
});
export type HostHealthSnapshot = z.infer<typeof HostHealthSnapshot>;
