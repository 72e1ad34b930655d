import type { ListenerIdentity, ListenerState, WorkPathHealth } from '@watchkeeper/contracts';

export interface DetectorOptions {
  /** Missing after `missingK` misses among the last `windowN` rounds (default 2 of 3). */
  missingK: number;
  windowN: number;
  /** Back to ok after this many answered rounds in a row (default 2). */
  recoverAfter: number;
  /** An answer slower than this is "late" (WARNING), not ok. */
  lateAfterMs: number;
  /** A learned (unexpected) listener silent for longer than this is forgotten. */
  extraTtlMs: number;
  /** Round-trip times kept per listener for the status API. */
  historySize: number;
}

export const defaultDetectorOptions: DetectorOptions = {
  missingK: 2,
  windowN: 3,
  recoverAfter: 2,
  lateAfterMs: 2000,
  extraTtlMs: 3_600_000,
  historySize: 20,
};

type Outcome = 'ok' | 'late' | 'miss';

export interface ListenerRecord {
  id: string;
  node: string;
  expected: boolean;
  state: ListenerState;
  /** A trigger was sent and no release yet: survives restarts so the release is not lost. */
  alertOpen: boolean;
  window: Outcome[];
  goodStreak: number;
  consecutiveMisses: number;
  /** Server monotonic time of the last answer (verdicts); null before the first one in this process. */
  lastSeenMono: number | null;
  /** Server wall time of the last answer (display and persistence). */
  lastSeenAtMs: number | null;
  rttMs: number | null;
  history: Array<number | null>;
  identity: ListenerIdentity | null;
  health: WorkPathHealth | null;
  clockOffsetMs: number | null;
  /** Where to re-send a request to within a round (learned from the answer's sender). */
  jid: string | null;
}

/** What one round says about one listener. */
export interface RoundAnswer {
  rttMs: number;
  atMono: number;
  atWallMs: number;
  identity: ListenerIdentity;
  health: WorkPathHealth | null;
  clockOffsetMs: number | null;
  jid: string | null;
}

export type Transition = { kind: 'trigger' | 'release'; record: ListenerRecord };

/** What the server persists to avoid an alert storm and to keep last-seen times across a restart. */
export interface PersistedListener {
  node: string;
  id: string;
  expected: boolean;
  state: ListenerState;
  alertOpen: boolean;
  lastSeenAtMs: number | null;
}

/** A string that shares no storage with the (possibly much larger) string it was sliced from. */
export function ownCopy(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

export const recordKey = (node: string, id: string): string => `${node}\u0000${id}`;

/**
 * k-of-n detection with hysteresis, per listener and node. It counts rounds, not seconds, so a slow
 * round or a paused server never turns into a false verdict; time only decides "late" and the TTL of
 * learned listeners, always on the server's monotonic clock.
 */
export class Detector {
  readonly opts: DetectorOptions;
  private readonly records = new Map<string, ListenerRecord>();
  private graceRounds = new Map<string, number>();
  /** Nodes with their own "late" threshold (a node with a long timeout may allow slower answers). */
  private readonly lateAfterByNode = new Map<string, number>();
  private defaultGrace: number;

  constructor(opts: Partial<DetectorOptions> = {}, startupGrace = true) {
    this.opts = { ...defaultDetectorOptions, ...opts };
    if (this.opts.missingK < 1 || this.opts.missingK > this.opts.windowN) throw new Error('need 1 <= missingK <= windowN');
    // Fresh start: no verdict of "missing" before one full window has been observed.
    this.defaultGrace = startupGrace ? this.opts.windowN : 0;
  }

  /** Expected listeners per node; ones dropped from config become learned (extra) ones. */
  setExpected(node: string, ids: string[]): void {
    const want = new Set(ids);
    for (const r of this.records.values()) if (r.node === node) r.expected = want.has(r.id);
    for (const id of want) this.ensure(node, id, true);
  }

  /** This node's answers are late after `ms` instead of the default lateAfterMs. */
  setLateAfter(node: string, ms: number): void {
    this.lateAfterByNode.set(node, ms);
  }

  /** Restores what the previous process knew: last-seen times and open alerts (no re-trigger). */
  restore(saved: PersistedListener[]): void {
    for (const s of saved) {
      const r = this.ensure(s.node, s.id, s.expected || this.records.get(recordKey(s.node, s.id))?.expected === true);
      r.lastSeenAtMs = s.lastSeenAtMs;
      r.alertOpen = s.alertOpen;
      if (s.alertOpen) r.state = 'missing';
    }
  }

  /** No missing verdicts for the next full window on every node (after a start or after blindness). */
  beginGrace(): void {
    this.defaultGrace = this.opts.windowN;
    for (const node of this.graceRounds.keys()) this.graceRounds.set(node, this.opts.windowN);
    for (const r of this.records.values()) {
      r.window = [];
      r.goodStreak = 0;
    }
  }

  inGrace(node?: string): boolean {
    if (node === undefined) return [...this.graceRounds.values()].some((g) => g > 0) || (this.graceRounds.size === 0 && this.defaultGrace > 0);
    return (this.graceRounds.get(node) ?? this.defaultGrace) > 0;
  }

  /** The monitor cannot see: every verdict becomes "unknown"; open alerts stay open. */
  markBlind(): void {
    for (const r of this.records.values()) r.state = 'unknown';
  }

  list(node?: string): ListenerRecord[] {
    return [...this.records.values()].filter((r) => node === undefined || r.node === node);
  }

  get(node: string, id: string): ListenerRecord | undefined {
    return this.records.get(recordKey(node, id));
  }

  /** Who should answer a round on `node`: expected and learned listeners. */
  roster(node: string): string[] {
    return this.list(node).map((r) => r.id);
  }

  /**
   * Applies one closed round: `answers` maps listener id → its answer. Returns the transitions that
   * need an alert (trigger when an expected listener goes missing, release when it is back).
   */
  applyRound(node: string, answers: Map<string, RoundAnswer>, nowMono: number): Transition[] {
    const out: Transition[] = [];
    const grace = this.graceRounds.get(node) ?? this.defaultGrace;
    const lateAfterMs = this.lateAfterByNode.get(node) ?? this.opts.lateAfterMs;
    for (const [id, a] of answers) this.ensure(node, id, false).identity ??= a.identity;
    for (const r of this.list(node)) {
      const a = answers.get(r.id);
      if (a) this.recordAnswer(r, a);
      else {
        r.consecutiveMisses += 1;
        r.goodStreak = 0;
        this.pushHistory(r, null);
      }
      const outcome: Outcome = !a ? 'miss' : a.rttMs > lateAfterMs ? 'late' : 'ok';
      r.window.push(outcome);
      if (r.window.length > this.opts.windowN) r.window.shift();
      if (!r.expected) {
        r.state = 'extra';
        continue;
      }
      const misses = r.window.filter((o) => o === 'miss').length;
      const wasMissing = r.state === 'missing' || (r.state === 'unknown' && r.alertOpen);
      if (wasMissing) {
        if (r.goodStreak >= this.opts.recoverAfter) {
          r.state = outcome === 'late' ? 'late' : 'ok';
          if (r.alertOpen) out.push({ kind: 'release', record: r });
          r.alertOpen = false;
        } else r.state = 'missing';
      } else if (misses >= this.opts.missingK && grace <= 1) {
        // grace <= 1: this round completes the first full window since start (or since blindness).
        r.state = 'missing';
        if (!r.alertOpen) out.push({ kind: 'trigger', record: r });
        r.alertOpen = true;
      } else if (r.lastSeenMono === null && outcome === 'miss') {
        r.state = 'new';
      } else {
        r.state = outcome === 'ok' ? 'ok' : 'late';
      }
    }
    this.graceRounds.set(node, Math.max(0, grace - 1));
    this.forgetSilentExtras(node, nowMono);
    return out;
  }

  /**
   * An answer that arrived after its round closed early (roster complete) from a listener nobody
   * expected: it is learned as "extra" now and joins the roster of the next round.
   */
  learnExtra(node: string, id: string, a: RoundAnswer): ListenerRecord {
    const r = this.ensure(node, id, false);
    if (!r.expected) r.state = 'extra';
    this.recordAnswer(r, a);
    return r;
  }

  private recordAnswer(r: ListenerRecord, a: RoundAnswer): void {
    r.consecutiveMisses = 0;
    r.goodStreak += 1;
    r.lastSeenMono = a.atMono;
    r.lastSeenAtMs = a.atWallMs;
    r.rttMs = a.rttMs;
    r.identity = a.identity;
    r.health = a.health;
    r.clockOffsetMs = a.clockOffsetMs;
    // Copied only when it changes: the parser hands out slices of the whole inbound stanza text, and
    // keeping a slice would keep that text alive for as long as the listener is known.
    if (a.jid && a.jid !== r.jid) r.jid = ownCopy(a.jid);
    this.pushHistory(r, a.rttMs);
  }

  private pushHistory(r: ListenerRecord, v: number | null): void {
    r.history.push(v);
    if (r.history.length > this.opts.historySize) r.history.shift();
  }

  private forgetSilentExtras(node: string, nowMono: number): void {
    for (const r of this.list(node)) {
      if (r.expected || r.lastSeenMono === null) continue;
      if (nowMono - r.lastSeenMono > this.opts.extraTtlMs) this.records.delete(recordKey(r.node, r.id));
    }
  }

  private ensure(node: string, id: string, expected: boolean): ListenerRecord {
    const key = recordKey(node, id);
    let r = this.records.get(key);
    if (!r) {
      r = {
        id,
        node,
        expected,
        state: 'new',
        alertOpen: false,
        window: [],
        goodStreak: 0,
        consecutiveMisses: 0,
        lastSeenMono: null,
        lastSeenAtMs: null,
        rttMs: null,
        history: [],
        identity: null,
        health: null,
        clockOffsetMs: null,
        jid: null,
      };
      this.records.set(key, r);
    } else if (expected) r.expected = true;
    return r;
  }
}
