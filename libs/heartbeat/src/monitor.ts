import type { AlertEvent, HeartbeatStatus, ListenersResponse } from '@watchkeeper/contracts';
import { blindAlert, listenerAlert } from './alerts';
import type { Clock } from './clock';
import { Detector, recordKey, type DetectorOptions, type PersistedListener } from './detector';
import { HeartbeatRunner, type HeartbeatTransport, type NodeTiming, type RoundSummary, type RunnerOptions } from './runner';
import { listenersResponse } from './views';

/** Where verdicts go (Kafka in the service). Calls must not block: the sink queues and reports its own health. */
export interface HeartbeatSink {
  statuses(list: HeartbeatStatus[]): void;
  alert(event: AlertEvent): void;
}

/** Last-seen times and open alerts, kept across restarts (MongoDB in the service). */
export interface LastSeenStore {
  load(): Promise<PersistedListener[]>;
  save(list: PersistedListener[]): Promise<void>;
}

export interface MonitorHooks {
  onRound?(summary: RoundSummary): void;
  onRejected?(reason: string, detail: string): void;
  onBlindChange?(blind: boolean, reasons: string[]): void;
  onStoreError?(err: Error): void;
}

/** One node's own settings (the seed's per-node section); anything left out takes the defaults. */
export interface NodeSettings extends Partial<NodeTiming> {
  /** Answers slower than this are "late" on this node. */
  lateAfterMs?: number;
}

export interface MonitorOptions extends RunnerOptions {
  /** node → expected listener ids. */
  expected: Record<string, string[]>;
  perNode?: Record<string, NodeSettings>;
  detector?: Partial<DetectorOptions>;
  /** Persist an unchanged listener's last-seen time at most this often (state changes: at once). */
  persistEveryMs?: number;
}

/**
 * The heartbeat server's core: runner + detector + sink + store. Turns detector transitions into
 * stateful alerts, blindness into one alert, and keeps the store current without writing every round.
 */
export class HeartbeatMonitor {
  readonly detector: Detector;
  readonly runner: HeartbeatRunner;
  private readonly persisted = new Map<string, { state: string; alertOpen: boolean; lastSeenAtMs: number | null; savedAt: number }>();
  private blindSince: Date | null = null;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly opts: MonitorOptions,
    transport: HeartbeatTransport,
    private readonly clock: Clock,
    private readonly sink: HeartbeatSink,
    private readonly store: LastSeenStore | null,
    private readonly hooks: MonitorHooks = {},
  ) {
    this.detector = new Detector(opts.detector);
    for (const node of opts.nodes) {
      this.detector.setExpected(node, opts.expected[node] ?? []);
      const lateAfterMs = opts.perNode?.[node]?.lateAfterMs;
      if (lateAfterMs !== undefined) this.detector.setLateAfter(node, lateAfterMs);
    }
    this.runner = new HeartbeatRunner(opts, this.detector, transport, clock, {
      onRoundClosed: (summary, statuses, transitions) => {
        this.hooks.onRound?.(summary);
        this.sink.statuses(statuses);
        const at = new Date(this.clock.wallMs());
        for (const t of transitions) {
          this.sink.alert(listenerAlert(t.kind, { server: opts.server, record: t.record, roundId: summary.roundId, at, detector: this.detector.opts }));
        }
        this.persist(false);
      },
      onUnknownStatuses: (statuses) => this.sink.statuses(statuses),
      onBlindChange: (blind, reasons) => {
        const at = new Date(this.clock.wallMs());
        if (blind) this.blindSince = at;
        const since = this.blindSince ?? at;
        this.sink.alert(blindAlert(blind ? 'trigger' : 'release', { server: opts.server, nodes: opts.nodes, reasons, at, since }));
        if (!blind) this.blindSince = null;
        this.hooks.onBlindChange?.(blind, reasons);
      },
      onRejected: (reason, detail) => this.hooks.onRejected?.(reason, detail),
    });
  }

  /** Restores persisted state (start-up grace follows), then starts the rounds. */
  async start(): Promise<void> {
    if (this.store) {
      const saved = await this.store.load();
      this.detector.restore(saved.filter((s) => this.opts.nodes.includes(s.node)));
      const now = this.clock.monotonicMs();
      for (const s of saved) this.persisted.set(recordKey(s.node, s.id), { state: s.state, alertOpen: s.alertOpen, lastSeenAtMs: s.lastSeenAtMs, savedAt: now });
      // Blind before the start (e.g. no broker yet): restored states are not verdicts of this process.
      if (this.runner.blind.length > 0) this.detector.markBlind();
    }
    this.runner.start();
  }

  async stop(): Promise<void> {
    this.runner.stop();
    this.persist(true);
    await this.saving;
  }

  setBlind(reason: string, on: boolean): void {
    this.runner.setBlind(reason, on);
  }

  view(filter: { node?: string; listener?: string } = {}): ListenersResponse {
    return listenersResponse(this.runner, this.detector, new Date(this.clock.wallMs()), filter);
  }

  /** Writes records whose state or alert changed, and last-seen times older than persistEveryMs. */
  private persist(all: boolean): void {
    if (!this.store) return;
    const every = this.opts.persistEveryMs ?? 30_000;
    const now = this.clock.monotonicMs();
    const dirty: PersistedListener[] = [];
    for (const r of this.detector.list()) {
      const key = recordKey(r.node, r.id);
      const p = this.persisted.get(key);
      const changed = !p || p.state !== r.state || p.alertOpen !== r.alertOpen;
      const stale = p && p.lastSeenAtMs !== r.lastSeenAtMs && (all || now - p.savedAt >= every);
      if (!changed && !stale) continue;
      dirty.push({ node: r.node, id: r.id, expected: r.expected, state: r.state, alertOpen: r.alertOpen, lastSeenAtMs: r.lastSeenAtMs });
      this.persisted.set(key, { state: r.state, alertOpen: r.alertOpen, lastSeenAtMs: r.lastSeenAtMs, savedAt: now });
    }
    if (dirty.length === 0) return;
    const store = this.store;
    this.saving = this.saving.then(() =>
      store.save(dirty).catch((err: Error) => {
        // Forget what we thought was saved, so the next round writes it again.
        for (const d of dirty) this.persisted.delete(recordKey(d.node, d.id));
        this.hooks.onStoreError?.(err);
      }),
    );
  }
}
