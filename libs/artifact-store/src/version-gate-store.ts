import type { Connection, Model } from 'mongoose';
import type { VersionGate, VersionGateSetting } from '@watchkeeper/contracts';
import { versionGateModel, type VersionGateDoc } from '@watchkeeper/dal/receiver';
import type { GateSource } from './code-version-gate';

const GATE_ID = 'current';

/** The gate as answered: the first `window` commits may upload, the first is the head. */
export function gateView(doc: Pick<VersionGateDoc, 'commits' | 'window' | 'source' | 'updatedAt'>): VersionGate {
  return {
    commits: doc.commits,
    window: doc.window,
    head: doc.commits[0]!,
    allowed: doc.commits.slice(0, doc.window),
    source: doc.source,
    updatedAt: doc.updatedAt.toISOString(),
  };
}

/**
 * The run-time version gate in MongoDB (one `_id`-keyed document, so every read is a point lookup),
 * cached for `cacheMs`: uploads do not cost a database read each, and a change made through another
 * instance takes effect here within `cacheMs` (at once through this one).
 */
export class VersionGateStore implements GateSource {
  readonly model: Model<VersionGateDoc>;
  private cached?: { gate: VersionGate | null; until: number };
  private loading?: Promise<VersionGate | null>;

  constructor(conn: Connection, private readonly opts: { cacheMs?: number; now?: () => number } = {}) {
    this.model = versionGateModel(conn);
  }

  async current(): Promise<VersionGate | null> {
    const now = (this.opts.now ?? Date.now)();
    if (this.cached && this.cached.until > now) return this.cached.gate;
    this.loading ??= this.model
      .findById(GATE_ID)
      .lean()
      .then((doc) => {
        const gate = doc ? gateView(doc) : null;
        this.cached = { gate, until: now + (this.opts.cacheMs ?? 5000) };
        return gate;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  async set(setting: VersionGateSetting, source: 'api' | 'git', at = new Date()): Promise<VersionGate> {
    const doc = { commits: setting.commits, window: setting.window, source, updatedAt: at };
    await this.model.replaceOne({ _id: GATE_ID }, doc, { upsert: true });
    const gate = gateView(doc);
    this.cached = { gate, until: (this.opts.now ?? Date.now)() + (this.opts.cacheMs ?? 5000) };
    return gate;
  }

  /** Removes the gate: uploads pass as without one. True when there was one. */
  async clear(): Promise<boolean> {
    const r = await this.model.deleteOne({ _id: GATE_ID });
    this.cached = { gate: null, until: (this.opts.now ?? Date.now)() + (this.opts.cacheMs ?? 5000) };
    return (r.deletedCount ?? 0) > 0;
  }
}
