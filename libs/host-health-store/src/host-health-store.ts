import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { Topics, type HostHealthSnapshot } from '@watchkeeper/contracts';
import { hostHealthModel, type HostHealthSnapshotDoc as SnapshotDoc } from '@watchkeeper/dal/receiver';
import { bulkWriteChunked, duplicateKeyIndexes } from '@watchkeeper/mongo';
import { GroupCommit, type Outbox, type OutboxEntry } from '@watchkeeper/outbox';

export interface HostHealthStoreOptions {
  /** Queue-time budget of a save (ms): a save still waiting for the database after this long is refused (QueueTimeout). 0: none. */
  maxWaitMs?: number;
  /** Counts saves refused for waiting too long. */
  onQueueTimeout?: (count: number) => void;
  /** Commit delay under load (ms; see GroupCommit's lingerMs). 0: none. */
  lingerMs?: number;
  /** Hosts whose snapshots are not answered (retired hosts); read on each `all` / `get`. */
  hiddenHosts?: () => Promise<ReadonlySet<string>>;
}

/** A stored snapshot and the event it came from (newest wins by receivedAt, then event id). */
interface Versioned {
  snapshot: HostHealthSnapshot;
  eventId: string;
}

/**
 * Each host's latest self-check report, stamped with the receiver's clock.
 *
 * Write path, insert-only: a save stores ONE document, its host-health event in the outbox (the event's
 * value is the whole snapshot). On FerretDB/SQLite an insert costs a fraction of a replace, so the
 * request path only inserts; concurrent saves are group-committed (one
 * insertMany per batch, one batch in flight). The outbox is thus also the log of recent snapshots.
 *
 * Compaction: before the relay deletes published entries, the host-health ones are folded into the
 * latest-per-host collection (one conditional replace per host per relay batch; newest wins by
 * receivedAt, then event id; re-folding the same event changes nothing). A crash between the insert
 * and the fold loses nothing: the entry stays in the outbox until it is folded and published.
 *
 * Reads merge the latest-per-host collection with the not-yet-folded entries, so a reader always sees
 * each host's newest whole snapshot.
 */
export class HostHealthStore {
  readonly model: Model<SnapshotDoc>;
  private readonly writer: GroupCommit<OutboxEntry>;

  constructor(conn: Connection, private readonly outbox: Outbox, private readonly opts: HostHealthStoreOptions = {}) {
    this.model = hostHealthModel(conn);
    this.writer = new GroupCommit((entries) => this.outbox.add(entries), { maxBatch: 1000, maxWaitMs: opts.maxWaitMs ?? 0, onExpired: opts.onQueueTimeout, lingerMs: opts.lingerMs ?? 0 });
    outbox.onBeforeDelete((entries) => this.compact(entries));
  }

  /** Resolves once the snapshot (as its outbox event) is stored. */
  async save(host: string, report: Record<string, unknown>, receivedAt: Date): Promise<HostHealthSnapshot> {
    const snapshot: HostHealthSnapshot = { host, receivedAt: receivedAt.toISOString(), report };
    const event = this.outbox.entry(Topics.hostHealth, snapshot, { id: randomUUID(), time: receivedAt, subject: host });
    await this.writer.add(event);
    return snapshot;
  }

  /** How long a save handed in now would wait for the database (load shedding reads this). */
  estimatedWaitMs(): number {
    return this.writer.estimatedWaitMs();
  }

  /** Folds host-health entries into the latest-per-host collection (newest wins; idempotent). */
  async compact(entries: OutboxEntry[]): Promise<void> {
    const newest = new Map<string, Versioned>();
    for (const e of entries) {
      if (e.topic !== Topics.hostHealth.name) continue;
      const v: Versioned = { snapshot: JSON.parse(e.value) as HostHealthSnapshot, eventId: e._id };
      const prev = newest.get(v.snapshot.host);
      if (!prev || newer(v, prev)) newest.set(v.snapshot.host, v);
    }
    if (newest.size === 0) return;
    // Filters on `_id` alone (plus an equality on the version read) stay cheap on FerretDB/SQLite; a
    // range condition in the filter makes each replace slower. So: read the stored
    // versions, replace only what is older, each replace conditional on the version read (compare-
    // and-set); a lost race (another instance folded meanwhile) is read again and decided again.
    let todo = [...newest.values()];
    for (let attempt = 0; todo.length && attempt < 5; attempt++) {
      const stored = new Map(
        (await this.model.find({ _id: { $in: todo.map((v) => v.snapshot.host) } }, { receivedAt: 1, eventId: 1 }).lean()).map((d) => [
          d._id,
          { snapshot: { host: d._id, receivedAt: d.receivedAt.toISOString(), report: {} }, eventId: d.eventId ?? '' } satisfies Versioned,
        ]),
      );
      todo = todo.filter((v) => {
        const cur = stored.get(v.snapshot.host);
        return !cur || newer(v, cur);
      });
      if (!todo.length) return;
      const doc = (v: Versioned) => ({ _id: v.snapshot.host, receivedAt: new Date(v.snapshot.receivedAt), eventId: v.eventId, report: JSON.stringify(v.snapshot.report) });
      const lost = new Set<string>();
      const fresh = todo.filter((v) => !stored.has(v.snapshot.host));
      const replace = todo.filter((v) => stored.has(v.snapshot.host));
      if (fresh.length) {
        try {
          await this.model.collection.insertMany(fresh.map(doc) as never[], { ordered: false });
        } catch (err) {
          const duplicates = duplicateKeyIndexes(err);
          if (!duplicates || duplicates.includes(undefined)) throw err;
          for (const i of duplicates) lost.add(fresh[i!].snapshot.host);
        }
      }
      if (replace.length) {
        const matched = await bulkWriteChunked(
          replace.map((v) => {
            const { _id, ...rest } = doc(v);
            return { replaceOne: { filter: { _id, eventId: stored.get(v.snapshot.host)!.eventId || { $exists: false } } as never, replacement: rest } };
          }),
          (chunk) => this.model.collection.bulkWrite(chunk, { ordered: true }),
        );
        // Which one missed is not reported: all are decided again (the ones written now compare equal and drop out).
        if (matched < replace.length) for (const v of replace) lost.add(v.snapshot.host);
      }
      todo = todo.filter((v) => lost.has(v.snapshot.host));
    }
    if (todo.length) throw new Error(`host-health compaction: ${todo.length} hosts kept changing under it; retried later`);
  }

  async all(): Promise<HostHealthSnapshot[]> {
    const [merged, hidden] = await Promise.all([this.merged(), this.hidden()]);
    return [...merged.values()]
      .map((v) => v.snapshot)
      .filter((s) => !hidden.has(s.host))
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  }

  async get(host: string): Promise<HostHealthSnapshot | undefined> {
    if ((await this.hidden()).has(host)) return undefined;
    return (await this.merged(host)).get(host)?.snapshot;
  }

  /** Drops a host's compacted snapshot (a retired host); not-yet-folded entries stay hidden by `hiddenHosts`. */
  async forget(host: string): Promise<void> {
    await this.model.deleteOne({ _id: host });
  }

  private async hidden(): Promise<ReadonlySet<string>> {
    return this.opts.hiddenHosts ? this.opts.hiddenHosts() : new Set();
  }

  /** Waits for writes in flight (shutdown). */
  idle(): Promise<void> {
    return this.writer.idle();
  }

  /**
   * Newest snapshot per host. The log (outbox) is read BEFORE the compacted collection: an entry folded
   * and deleted between the two reads is then still in hand from the first, so nothing newer is missed.
   */
  private async merged(host?: string): Promise<Map<string, Versioned>> {
    const pending = await this.outbox.findStored({ topic: Topics.hostHealth.name, ...(host ? { key: host } : {}) }, { value: 1 });
    const docs = await (host ? this.model.find({ _id: host }) : this.model.find()).lean();
    const out = new Map<string, Versioned>();
    const offer = (v: Versioned) => {
      const prev = out.get(v.snapshot.host);
      if (!prev || newer(v, prev)) out.set(v.snapshot.host, v);
    };
    for (const d of docs) offer({ snapshot: { host: d._id, receivedAt: d.receivedAt.toISOString(), report: JSON.parse(d.report) as Record<string, unknown> }, eventId: d.eventId ?? '' });
    for (const e of pending) offer({ snapshot: JSON.parse(e.value) as HostHealthSnapshot, eventId: e._id });
    return out;
  }
}

function newer(a: Versioned, b: Versioned): boolean {
  const ta = Date.parse(a.snapshot.receivedAt);
  const tb = Date.parse(b.snapshot.receivedAt);
  return ta !== tb ? ta > tb : a.eventId > b.eventId;
}
