import { CommitHash, type VersionGate } from '@watchkeeper/contracts';

export type GateRefusal =
  | { ok: false; status: 400; code: 'bad-commit' | 'missing-commit'; message: string; remediation?: string }
  | { ok: false; status: 412; code: 'code-version-not-allowed'; message: string; remediation: string; yourCommit: string; headCommit?: string; window?: number };

export type GateVerdict = { ok: true; commit?: string } | GateRefusal;

/** Where the run-time gate is read from (MongoDB, cached); null: none set. */
export interface GateSource {
  current(): Promise<VersionGate | null>;
}

const MISSING_REMEDIATION =
  'Send X-Code-Commit with the full commit hash (40 lowercase hex digits, `git rev-parse HEAD`) of the code making the upload; a client that omits it is out of date or broken.';

/**
 * Pure: may an upload stamped with `header` pass? With a run-time gate (`PUT /v1/version-gate`) the
 * original's rules: no commit is a client bug (400), a commit outside the newest `window` of the
 * branch is a stale host (412 naming both commits). Without one, the start-up allow-list
 * (RECEIVER_ALLOWED_COMMITS, empty: any well-formed commit) and a missing header passes (counted as
 * unstamped by the fleet-health monitor). Host-health reports never go through this gate.
 */
export function judgeCommit(header: string | string[] | undefined, gate: VersionGate | null, staticAllowed: ReadonlySet<string>, hint: string): GateVerdict {
  if (header === undefined) {
    if (!gate) return { ok: true };
    return { ok: false, status: 400, code: 'missing-commit', message: 'X-Code-Commit is required: this receiver only accepts uploads from known code versions', remediation: MISSING_REMEDIATION };
  }
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!CommitHash.safeParse(value).success) {
    return { ok: false, status: 400, code: 'bad-commit', message: 'X-Code-Commit must be a full commit hash: 40 lowercase hex digits', ...(gate ? { remediation: MISSING_REMEDIATION } : {}) };
  }
  if (gate) {
    if (gate.allowed.includes(value)) return { ok: true, commit: value };
    const remediation = `Update this host to ${gate.head} (or one of the ${gate.window} newest commits of the branch). ${hint}`.trim();
    return {
      ok: false,
      status: 412,
      code: 'code-version-not-allowed',
      message: `commit ${value} is not among the ${gate.window} newest commits (head ${gate.head}). ${remediation}`,
      remediation,
      yourCommit: value,
      headCommit: gate.head,
      window: gate.window,
    };
  }
  if (staticAllowed.size > 0 && !staticAllowed.has(value)) {
    return { ok: false, status: 412, code: 'code-version-not-allowed', message: `commit ${value} is not allowed to upload. ${hint}`, remediation: hint, yourCommit: value };
  }
  return { ok: true, commit: value };
}

/** Which code may upload: the run-time gate when one is set, else the start-up allow-list (see judgeCommit). */
export class CodeVersionGate {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowed: readonly string[], private readonly hint: string, private readonly source?: GateSource) {
    this.allowed = new Set(allowed);
  }

  async check(header: string | string[] | undefined): Promise<GateVerdict> {
    const gate = this.source ? await this.source.current() : null;
    return judgeCommit(header, gate, this.allowed, this.hint);
  }
}
