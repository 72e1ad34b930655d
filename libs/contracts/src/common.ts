import { z } from 'zod';
import { HOST_NAME_MAX_LENGTH, HOST_NAME_PATTERN } from './host-name';

/** A host name as hosts report it: DNS label characters only, so it is safe in paths, keys and file names. */
export const HostName = z
  .string()
  .min(1)
  .max(HOST_NAME_MAX_LENGTH)
  .regex(HOST_NAME_PATTERN, 'host must be letters, digits, ".", "_" or "-"');

export const IsoDateTime = z.iso.datetime({ offset: true });
export const IsoDate = z.iso.date();
export const Severity = z.enum(['critical', 'warning', 'info']);
export type Severity = z.infer<typeof Severity>;

/** Labels are flat string maps (Prometheus style) so matchers and fingerprints stay simple. */
export const Labels = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'label names are identifiers'),
  z.string().max(1024),
);
export type Labels = z.infer<typeof Labels>;

export const EventId = z.string().min(1).max(200);
