import { z } from 'zod';
import { IsoDateTime } from '../common';
import { CommitHash } from './artifacts';
import { ErrorBody } from './common';

/** At most this many commits in a gate (a branch's recent history, not all of it). */
export const MAX_GATE_COMMITS = 1000;

/** `PUT /v1/version-gate`: the branch's commits, newest first; the first `window` may upload, the first is the head. */
export const VersionGateSetting = z.object({
  commits: z.array(CommitHash).min(1).max(MAX_GATE_COMMITS).describe('commits of the branch, newest first'),
  window: z.number().int().min(1).max(MAX_GATE_COMMITS).describe('how many of the newest commits may upload'),
});
export type VersionGateSetting = z.infer<typeof VersionGateSetting>;

export const VersionGate = VersionGateSetting.extend({
  head: CommitHash.describe('the newest commit (first of the list)'),
  allowed: z.array(CommitHash).describe('the first `window` commits: the ones that may upload'),
  source: z.enum(['api', 'git']).describe('set through the API, or followed from a local git clone'),
  updatedAt: IsoDateTime,
});
export type VersionGate = z.infer<typeof VersionGate>;

/** `GET /v1/version-gate`: the gate in force, or null (uploads then pass as without a gate). */
export const VersionGateResponse = z.object({ gate: VersionGate.nullable() });
export type VersionGateResponse = z.infer<typeof VersionGateResponse>;

/** 400 for an upload without (or with a malformed) `X-Code-Commit` while a gate is set: a client bug. */
export const CommitMissingBody = ErrorBody.extend({ remediation: z.string() });

/** 412 for an upload whose commit is outside the gate's window: a stale host. */
export const CommitNotAllowedBody = ErrorBody.extend({
  yourCommit: CommitHash,
  headCommit: CommitHash,
  window: z.number().int().positive(),
  remediation: z.string(),
});
export type CommitNotAllowedBody = z.infer<typeof CommitNotAllowedBody>;
