import { HostName, type HeartbeatRequest, type HeartbeatStatus } from '@watchkeeper/contracts';
import type { Clock } from './clock';
import type { Detector, ListenerRecord, RoundAnswer, Transition } from './detector';
import { buildRequest, decodeAnswer, newToken, type DecodedAnswer } from './protocol';

/** How the runner reaches listeners; the XMPP adapter implements it (and the simulation fakes it). */
export interface HeartbeatTransport {
  /** The server session's full JID, or null while it has no session. */
  selfJid(): string | null;
  /** One request to every subscriber of the node (one publish). */
  publishRequest(node: string, request: HeartbeatRequest): Promise<void>;
  /** A re-send to one silent listener within the round (direct message). */
  sendRequest(to: string, request: HeartbeatRequest): Promise<void>;
}

/** When a node's rounds run: every interval, answers taken until the timeout, silent ones re-asked. */
export interface NodeTiming {
  intervalMs: number;
  timeoutMs: number;
  /** Re-send to silent listeners this often within a round; 0 disables. Default timeout/5. */
  retryEveryMs?: number;
}

export interface RunnerOptions extends NodeTiming {
  /** The server's identity (bare JID). */
  server: string;
  /** The XMPP domain, sent as the request's `server` (what a seed-era listener reads); default: the domain of `server`. */
  domain?: string;
  nodes: string[];
  /** Per-node timing (the seed's per-node sections); a node without an entry uses the defaults above. */
  perNode?: Record<string, Partial<NodeTiming>>;
  /**
   * Take answers until the timeout even when every expected listener has answered (the seed's poll
   * did: unexpected listeners answering later are reported too). Default: close when complete.
   */
  collectUntilTimeout?: boolean;
}

export interface RoundSummary {
  node: string;
  roundId: string;
  seq: number;
  startedAtMs: number;
  /** Monotonic duration until the roster was complete or the timeout. */
  durationMs: number;
  complete: boolean;
  rosterSize: number;
  answered: number;
  /** Stanzas the server sent (1 publish + re-sends) and accepted answers it received. */
  messagesOut: number;
  messagesIn: number;
}

export interface RunnerHooks {
  onRoundClosed?(summary: RoundSummary, statuses: HeartbeatStatus[], transitions: Transition[]): void;
  onBlindChange?(blind: boolean, reasons: string[]): void;
  onUnknownStatuses?(statuses: HeartbeatStatus[]): void;
  /** Counts of every answer that was not taken, by reason (never dropped silently). */
  onRejected?(reason: string, detail: string): void;
}

interface OpenRound {
  node: string;
  roundId: string;
  seq: number;
  nonce: string;
  startMono: number;
  startWall: number;
  roster: Set<string>;
  /** Roster members that have not answered yet (O(1) completion check per answer). */
  pending: number;
  answers: Map<string, RoundAnswer>;
  closed: boolean;
  attempt: number;
  /** Answers taken when the last re-send tick ran: tells a slow round (still answering) from loss. */
  answeredAtLastTick: number;
  messagesOut: number;
  timers: unknown[];
  resolve: (s: RoundSummary) => void;
}

/**
 * Runs heartbeat rounds: every interval one request per node, answers collected until the roster is
 * complete or the timeout, silent listeners re-asked directly within the round, verdicts from the
 * detector. Any blindness (own session, publish, broker) pauses verdicts: listeners become unknown and
 * one grace window follows recovery.
 */
export class HeartbeatRunner {
  private seq = 0;
  private readonly live = new Map<string, OpenRound>();
  private readonly lastRound = new Map<string, RoundSummary>();
  private readonly blindReasons = new Set<string>();
  /** Per node: its timing, next tick time and timer (each node keeps its own schedule). */
  private readonly schedules = new Map<string, { timing: Required<NodeTiming>; nextTickMono: number; timer: unknown }>();
  private running = false;
  private readonly domain: string;

  constructor(
    readonly opts: RunnerOptions,
    readonly detector: Detector,
    private readonly transport: HeartbeatTransport,
    private readonly clock: Clock,
    private readonly hooks: RunnerHooks = {},
  ) {
    for (const node of opts.nodes) {
      const timing = this.timingOf(node);
      if (timing.timeoutMs >= timing.intervalMs) throw new Error(`node ${node}: timeout must be shorter than the interval`);
      this.schedules.set(node, { timing, nextTickMono: 0, timer: null });
    }
    this.domain = opts.domain ?? opts.server.slice(opts.server.indexOf('@') + 1);
  }

  /** The node's interval, timeout and re-send period (defaults for a node not configured). */
  timingOf(node: string): Required<NodeTiming> {
    const s = this.schedules.get(node);
    if (s) return s.timing;
    const own = this.opts.perNode?.[node] ?? {};
    const timeoutMs = own.timeoutMs ?? this.opts.timeoutMs;
    // A node's own timeout without its own re-send period: re-send at a fifth of that timeout.
    const retryEveryMs = own.retryEveryMs ?? (own.timeoutMs === undefined ? this.opts.retryEveryMs : undefined) ?? Math.floor(timeoutMs / 5);
    return { intervalMs: own.intervalMs ?? this.opts.intervalMs, timeoutMs, retryEveryMs };
  }

  get blind(): string[] {
    return [...this.blindReasons].sort();
  }

  lastRoundOf(node: string): RoundSummary | undefined {
    return this.lastRound.get(node);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const [node, s] of this.schedules) {
      s.nextTickMono = this.clock.monotonicMs();
      this.tick(node);
    }
  }

  stop(): void {
    this.running = false;
    for (const s of this.schedules.values()) {
      if (s.timer !== null) this.clock.clearTimeout(s.timer);
      s.timer = null;
    }
    for (const round of this.live.values()) for (const t of round.timers) this.clock.clearTimeout(t);
    this.live.clear();
  }

  /** Raises or clears one reason for blindness; one alert spans every reason. */
  setBlind(reason: string, on: boolean): void {
    const before = this.blindReasons.size > 0;
    if (on) this.blindReasons.add(reason);
    else this.blindReasons.delete(reason);
    const after = this.blindReasons.size > 0;
    if (before === after) return;
    if (after) {
      // Rounds in flight cannot be judged: forget them rather than count their silence as misses.
      for (const round of this.live.values()) {
        for (const t of round.timers) this.clock.clearTimeout(t);
        round.closed = true;
      }
      this.live.clear();
      this.detector.markBlind();
      const now = new Date(this.clock.wallMs());
      this.hooks.onUnknownStatuses?.(this.detector.list().map((r) => this.status(r, null, now)));
    } else {
      this.detector.beginGrace();
    }
    this.hooks.onBlindChange?.(after, this.blind);
  }

  /** Runs one round on one node now (the `--once` check, and each tick). */
  runRound(node: string): Promise<RoundSummary> {
    return new Promise<RoundSummary>((resolve) => {
      const self = this.transport.selfJid();
      const seq = ++this.seq;
      const round: OpenRound = {
        node,
        roundId: newToken(),
        seq,
        nonce: newToken(),
        startMono: this.clock.monotonicMs(),
        startWall: this.clock.wallMs(),
        roster: new Set(this.detector.roster(node)),
        pending: 0,
        answers: new Map(),
        closed: false,
        attempt: 0,
        answeredAtLastTick: 0,
        messagesOut: 1,
        timers: [],
        resolve,
      };
      round.pending = round.roster.size;
      if (!self) {
        this.setBlind('xmpp', true);
        round.closed = true;
        return resolve(this.summary(round));
      }
      this.live.set(round.nonce, round);
      const timing = this.timingOf(node);
      round.timers.push(this.clock.setTimeout(() => this.expire(round), timing.timeoutMs));
      if (timing.retryEveryMs > 0) this.scheduleRetry(round, self);
      this.transport.publishRequest(node, this.request(round, self, 0)).then(
        () => this.setBlind('xmpp-publish', false),
        (err: Error) => {
          this.hooks.onRejected?.('publish-failed', err.message);
          this.setBlind('xmpp-publish', true);
        },
      );
    });
  }

  /** Takes one inbound answer (any encoding) from `fromJid`; false when it was rejected. */
  handleAnswer(json: unknown, fromJid: string | null): boolean {
    const decoded = decodeAnswer(json);
    if (!decoded.ok) return this.reject('invalid', decoded.error);
    const a = decoded.value;
    const round = this.live.get(a.nonce);
    if (!round) return this.reject('stale-nonce', `${a.listenerId}: nonce of no live round (late, replayed or forged)`);
    if (a.roundId !== null && a.roundId !== round.roundId) return this.reject('round-mismatch', `${a.listenerId}: round id does not match its nonce`);
    if (round.answers.has(a.listenerId)) return this.reject('duplicate', a.listenerId);
    const answer = this.toRoundAnswer(round, a, fromJid);
    round.answers.set(a.listenerId, answer);
    if (round.closed) {
      // Roster was complete; a listener nobody expected answered inside the timeout: learn it now.
      this.detector.learnExtra(round.node, a.listenerId, answer);
      return true;
    }
    if (round.roster.has(a.listenerId)) round.pending -= 1;
    if (round.pending === 0 && !this.opts.collectUntilTimeout) this.close(round, true);
    return true;
  }

  private toRoundAnswer(round: OpenRound, a: DecodedAnswer, fromJid: string | null): RoundAnswer {
    const atMono = this.clock.monotonicMs();
    const atWallMs = this.clock.wallMs();
    const rttMs = Math.max(0, atMono - round.startMono);
    // Offset = listener clock − server clock at the moment it answered (≈ receipt − rtt/2).
    const clockOffsetMs = a.sentAt ? Date.parse(a.sentAt) - (atWallMs - rttMs / 2) : null;
    return { rttMs, atMono, atWallMs, identity: a.listener, health: a.health, clockOffsetMs, jid: fromJid };
  }

  private reject(reason: string, detail: string): false {
    this.hooks.onRejected?.(reason, detail);
    return false;
  }

  private request(round: OpenRound, self: string, attempt: number): HeartbeatRequest {
    return buildRequest({
      roundId: round.roundId,
      seq: round.seq,
      server: this.domain,
      node: round.node,
      nonce: round.nonce,
      sentAt: new Date(this.clock.wallMs()),
      replyTo: self,
      attempt,
    });
  }

  private scheduleRetry(round: OpenRound, self: string): void {
    const { retryEveryMs, timeoutMs } = this.timingOf(round.node);
    const at = (round.attempt + 1) * retryEveryMs;
    // A re-send later than this could not be answered before the timeout.
    if (at > timeoutMs - 2 * retryEveryMs) return;
    round.timers.push(
      this.clock.setTimeout(() => {
        if (round.closed) return;
        round.attempt += 1;
        // Re-sends are for stragglers (a lost stanza), not for a round that is merely slow: at most
        // max(10, 5% of the roster) per tick, those that already missed the last round first (a second
        // miss would make them missing). Keeps a slow round from doubling its own load.
        const budget = Math.max(10, Math.ceil(round.roster.size * 0.05));
        // A round with more silent listeners than the budget that is still taking answers is slow, not
        // lossy: re-asking now only adds stanzas to the queue the answers are stuck in (and each re-sent
        // listener answers twice). Wait for the next tick unless this is the last one.
        const progressing = round.answers.size > round.answeredAtLastTick;
        round.answeredAtLastTick = round.answers.size;
        const lastTick = (round.attempt + 1) * retryEveryMs > timeoutMs - 2 * retryEveryMs;
        if (progressing && round.pending > budget && !lastTick) return this.scheduleRetry(round, self);
        const silent = [...round.roster]
          .filter((id) => !round.answers.has(id))
          .map((id) => this.detector.get(round.node, id))
          .filter((r): r is ListenerRecord => !!r?.jid)
          .sort((a, b) => b.consecutiveMisses - a.consecutiveMisses)
          .slice(0, budget);
        for (const r of silent) {
          round.messagesOut += 1;
          this.transport.sendRequest(r.jid!, this.request(round, self, round.attempt)).catch((err: Error) => this.hooks.onRejected?.('resend-failed', err.message));
        }
        this.scheduleRetry(round, self);
      }, at - (round.attempt * retryEveryMs)),
    );
  }

  private expire(round: OpenRound): void {
    this.live.delete(round.nonce);
    for (const t of round.timers) this.clock.clearTimeout(t);
    if (!round.closed) this.close(round, this.opts.collectUntilTimeout === true && round.pending === 0);
  }

  private close(round: OpenRound, complete: boolean): void {
    round.closed = true;
    const summary = this.summary(round, complete);
    this.lastRound.set(round.node, summary);
    if (this.blindReasons.size > 0) return round.resolve(summary);
    const transitions = this.detector.applyRound(round.node, round.answers, this.clock.monotonicMs());
    const now = new Date(this.clock.wallMs());
    const statuses = this.detector.list(round.node).map((r) => this.status(r, round, now));
    this.hooks.onRoundClosed?.(summary, statuses, transitions);
    round.resolve(summary);
  }

  private summary(round: OpenRound, complete = false): RoundSummary {
    return {
      node: round.node,
      roundId: round.roundId,
      seq: round.seq,
      startedAtMs: round.startWall,
      durationMs: this.clock.monotonicMs() - round.startMono,
      complete,
      rosterSize: round.roster.size,
      answered: round.answers.size,
      messagesOut: round.messagesOut,
      messagesIn: round.answers.size,
    };
  }

  private status(r: ListenerRecord, round: OpenRound | null, now: Date): HeartbeatStatus {
    const answered = round?.answers.get(r.id);
    const host = r.identity && HostName.safeParse(r.identity.host).success ? r.identity.host : undefined;
    // Built from the server's own validated values; validated against the contract where it leaves the
    // process (EventProducer), not here too: 2,000 listeners × a zod parse per round was pure overhead.
    return {
      listenerId: r.id,
      node: r.node,
      state: r.state,
      roundId: round?.roundId ?? 'none',
      seq: round?.seq ?? this.seq,
      server: this.opts.server,
      observedAt: now.toISOString(),
      lastSeenAt: r.lastSeenAtMs === null ? null : new Date(r.lastSeenAtMs).toISOString(),
      rttMs: answered ? answered.rttMs : null,
      consecutiveMisses: r.consecutiveMisses,
      host,
      clockOffsetMs: r.clockOffsetMs,
    };
  }

  private tick(node: string): void {
    const s = this.schedules.get(node);
    if (!this.running || !s) return;
    const blindOnlyByPublish = this.blindReasons.size === 1 && this.blindReasons.has('xmpp-publish');
    if (this.blindReasons.size === 0 || blindOnlyByPublish) void this.runRound(node);
    // Fixed schedule on the monotonic clock; ticks missed while the process was stalled are skipped.
    const now = this.clock.monotonicMs();
    do s.nextTickMono += s.timing.intervalMs;
    while (s.nextTickMono <= now);
    s.timer = this.clock.setTimeout(() => this.tick(node), s.nextTickMono - now);
  }
}
