import { z } from 'zod';
import { HostName, IsoDateTime } from '../common';

/** `self-check-critical`: the host's latest self-check report has a critical check. */
export const FleetSymptom = z.enum(['silent', 'fatal-only', 'unstamped', 'self-check-critical']);
export type FleetSymptom = z.infer<typeof FleetSymptom>;

export const HostActivity = z.object({
  host: HostName,
  lastRequestAt: IsoDateTime.nullable(),
  /** Counts over the detector window. */
  requests: z.number().int().nonnegative(),
  clientErrors: z.number().int().nonnegative(),
  uploads: z.number().int().nonnegative(),
  unstampedUploads: z.number().int().nonnegative(),
  symptoms: z.array(z.object({ symptom: FleetSymptom, since: IsoDateTime })),
});
export type HostActivity = z.infer<typeof HostActivity>;

export const FleetHealthResponse = z.object({
  evaluatedAt: IsoDateTime.nullable(),
  windowMs: z.number().int().positive(),
  hosts: z.array(HostActivity),
});
export type FleetHealthResponse = z.infer<typeof FleetHealthResponse>;
