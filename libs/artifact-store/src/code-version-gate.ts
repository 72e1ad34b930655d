import { CommitHash } from '@watchkeeper/contracts';

export type GateVerdict =
  | { ok: true; commit?: string }
  | { ok: false; status: 400 | 412; code: 'bad-commit' | 'code-version-not-allowed'; message: string };

/**
 * Which code may upload: `X-Code-Commit` must be a full commit hash and, when an allow-list is
 * configured, one of it. An upload without the header passes (and is counted as unstamped by the
 * fleet-health monitor). Host-health reports never go through this gate.
 */
export class CodeVersionGate {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowed: readonly string[], private readonly remediation: string) {
    this.allowed = new Set(allowed);
  }

  check(header: string | string[] | undefined): GateVerdict {
    if (header === undefined) return { ok: true };
    const value = Array.isArray(header) ? header.join(',') : header;
    if (!CommitHash.safeParse(value).success) {
      return { ok: false, status: 400, code: 'bad-commit', message: 'X-Code-Commit must be a full commit hash: 40 lowercase hex digits' };
    }
    if (this.allowed.size > 0 && !this.allowed.has(value)) {
      return { ok: false, status: 412, code: 'code-version-not-allowed', message: `commit ${value} is not allowed to upload. ${this.remediation}` };
    }
    return { ok: true, commit: value };
  }
}
