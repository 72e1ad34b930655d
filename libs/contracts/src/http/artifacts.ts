import { z } from 'zod';
import { HostName, IsoDateTime } from '../common';

/** An artifact name: one path segment, no traversal, safe as a file name on any system. */
export const ArtifactName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?$/, 'name must be letters, digits, ".", "_" or "-", starting with a letter or digit')
  .regex(/^(?!.*\.\.)/, 'name must not contain ".."');

export const ArtifactParams = z.object({ host: HostName, name: ArtifactName });

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 as 64 lowercase hex digits');
export const CommitHash = z.string().regex(/^[0-9a-f]{40}$/, 'commit as 40 lowercase hex digits');

/** Closed vocabularies of the optional metadata headers; unknown values are dropped (and logged). */
export const ArtifactKind = z.enum(['log', 'report', 'config', 'core-dump', 'metrics', 'other']);
export const ArtifactEncoding = z.enum(['identity', 'gzip', 'zstd', 'xz', 'bzip2']);

export const ArtifactMeta = z.object({
  kind: ArtifactKind.optional(),
  encoding: ArtifactEncoding.optional(),
});
export type ArtifactMeta = z.infer<typeof ArtifactMeta>;

/** Request headers of `PUT /v1/artifacts/{host}/{name}` (names lower-case, as Node gives them). */
export const ArtifactUploadHeaders = z.object({
  'x-content-sha256': Sha256Hex.describe('SHA-256 of the body; required'),
  'x-code-commit': CommitHash.optional().describe('commit of the uploading code; required while a version gate is set (GET /v1/version-gate), and then one of its window'),
  'x-schema-version': z.string().optional().describe('contract version the client was built against (absent: the current one); an unknown one is refused with 400'),
  'x-artifact-kind': z.string().optional().describe(`one of ${ArtifactKind.options.join(', ')}; other values are dropped`),
  'x-artifact-encoding': z.string().optional().describe(`one of ${ArtifactEncoding.options.join(', ')}; other values are dropped`),
});

export const ArtifactRecord = z.object({
  host: HostName,
  name: z.string(),
  sha256: Sha256Hex,
  size: z.number().int().nonnegative(),
  storedAt: IsoDateTime,
  codeCommit: CommitHash.optional(),
  meta: ArtifactMeta,
});
export type ArtifactRecord = z.infer<typeof ArtifactRecord>;

export const ArtifactStored = ArtifactRecord.extend({
  status: z.enum(['stored', 'already-present']),
});
export type ArtifactStored = z.infer<typeof ArtifactStored>;

export const ArtifactList = z.object({ host: HostName, artifacts: z.array(ArtifactRecord) });
