import { randomBytes } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import type { SshDayStats, SshEvent, SshSource } from '@watchkeeper/contracts';
import { SSH_COLLECTIONS } from '@watchkeeper/dal';
import type { DayDoc, DaySetDoc, HostDoc, JournalDoc, JournalWrites, PidDayDoc, RawBundleDoc } from '@watchkeeper/dal/receiver';
import { insertReportingDuplicates, replaceAllById } from '@watchkeeper/mongo';
import { CalendarDay } from '@watchkeeper/ssh-stats';
import { datesBetween } from './date-range';
import { Lru } from './lru';
import { dayId, SshBatchAggregator, utcDate, WorkingState } from './ssh-batch-aggregator';
import type { DayState, PidDayState } from './ssh-day-state';
import { dayFromDocs, daySetDoc, dayToDoc, idsOfBundle, mergePidSegment, pidDaySegment, rawBundle } from './ssh-docs';
import { rankSources } from './ssh-sources';

const DAY_MS = 86_400_000;

export interface SshEventStoreOptions {
  timeZone: string;
  /** Days raw events (and the PID days derived from them) are kept, by event time (default 90). */
  retentionDays?: number;
  /** Day states and PID days kept in memory, so a steady stream reads nothing back. */
  cacheDays?: number;
  cachePidDays?: number;
  /**
   * Entries (ids, PIDs, addresses) each cache holds in all (default 200,000, ≈ 20 MB each): a busy
   * host's day holds tens of thousands, and catching up weeks of one overran the receiver's heap.
   */
  cacheEntries?: number;
}

/** Where a batch comes from: its events' offsets are unique and increasing per source. */
export interface BatchSource {
  topic: string;
  partition: number;
}

export interface BatchOutcome {
  applied: SshEvent[];
  replayed: SshEvent[];
}

export interface OffsetEvent {
  offset: string;
  value: SshEvent;
}

/**
 * sshd events from the ssh-events topic as per-host, per-day statistics and top sources, with the
 * same figures as the collector's `count` (SshStatsAccumulator) for the same lines, whatever the
 * order, batching or redelivery.
 *
 * Per batch of one partition: events at offsets the partition's journal already covers are skipped;
 * of the rest, those whose id was applied before (the ids of a UTC day are known from its raw bundles,
 * cached) are duplicates; the new ones are stored raw (one bundle per UTC day, insert-only) and change
 * the day states and PID days they touch (read from memory, or by `_id` from bounded collections);
 * the new absolute documents and the last offset go to the partition's journal in one write — the
 * durability point — and are then written in place. A crash after the journal write is repaired by
 * writing the journal again before the next batch; a crash before it leaves a bundle stamped with an
 * offset beyond the journal's, which counts only once the journal covers it (its events re-applied
 * by then).
 */
export class SshEventStore {
  private readonly aggregator: SshBatchAggregator;
  private readonly days: Lru<string, DayState | null>;
  private readonly pidDays: Lru<string, PidDayState | null>;
  private hosts: Map<string, HostDoc> | undefined;
  /** Per source: the journal's last offset and the offsets its batch applied for the first time. */
  private readonly through = new Map<string, { through: number; fresh: Set<number> }>();
  /** Per partition and UTC day (`p|date`): the ids of the events applied (from valid bundles). */
  private readonly seenIds: Lru<string, Set<string>>;
  private db_: mongo.Db | undefined;

  constructor(private readonly conn: Connection, private readonly opts: SshEventStoreOptions) {
    this.aggregator = new SshBatchAggregator(new CalendarDay(opts.timeZone)); // RangeError now for an unknown zone
    const maxWeight = opts.cacheEntries ?? 200_000;
    this.days = new Lru(opts.cacheDays ?? 4096, { maxWeight, weigh: (d) => (d ? 1 + d.sources.size + d.attempts.size : 1) });
    this.pidDays = new Lru(opts.cachePidDays ?? 64, { maxWeight, weigh: (p) => (p ? 1 + p.size : 1) });
    this.seenIds = new Lru(16, { maxWeight, weigh: (ids) => ids.size });
  }

  get timeZone(): string {
    return this.opts.timeZone;
  }

  get retentionDays(): number {
    return this.opts.retentionDays ?? 90;
  }

  private get db(): mongo.Db {
    if (!this.db_) {
      if (!this.conn.db) throw new Error('the SSH store database is not connected');
      this.db_ = this.conn.db;
    }
    return this.db_;
  }

  private coll<T extends mongo.Document>(name: string): mongo.Collection<T> {
    return this.db.collection<T>(name);
  }

  /** Creates the collections' only index (the journal and hosts are looked up by `_id`): none needed. */
  async init(): Promise<void> {
    await this.loadHosts();
  }

  /**
   * Applies one partition's batch (offsets increasing). `applied`: the events applied now for the first
   * time; `replayed`: events of this batch the journal shows applied by an earlier try whose caller may
   * have crashed before passing them on. Both are what downstream detectors should see (at least once).
   * Safe to call again with the same or overlapping events after any failure.
   */
  async applyBatch(source: BatchSource, events: OffsetEvent[]): Promise<BatchOutcome> {
    try {
      return await this.applyBatchOnce(source, events);
    } catch (err) {
      // What is cached may be ahead of or behind what was written: start over from the journal.
      this.forget();
      throw err;
    }
  }

  /** Drops everything cached (after a failed batch, or when partitions move between instances). */
  forget(): void {
    this.days.clear();
    this.pidDays.clear();
    this.seenIds.clear();
    this.hosts = undefined;
    this.through.clear();
  }

  /** Stores events outside any partition (tests, one-off imports): one source, offsets in call order. */
  async addMany(events: SshEvent[], source: BatchSource = { topic: 'direct', partition: -1 }): Promise<number> {
    const start = (await this.appliedThrough(source)) + 1;
    return (await this.applyBatch(source, events.map((value, i) => ({ offset: String(start + i), value })))).applied.length;
  }

  private async applyBatchOnce(source: BatchSource, events: OffsetEvent[]): Promise<BatchOutcome> {
    if (events.length === 0) return { applied: [], replayed: [] };
    const through = await this.appliedThrough(source);
    const journaled = this.through.get(journalId(source))!.fresh;
    const last = Number(events[events.length - 1].offset);
    const fresh: Array<{ o: number; e: SshEvent }> = [];
    // Applied by the journaled batch, whose caller may not have seen them (a crash right after the journal write): again.
    const again: SshEvent[] = [];
    const seen = new Set<string>();
    for (const { offset, value } of events) {
      const o = Number(offset);
      if (o <= through) {
        if (journaled.has(o)) again.push(value);
        continue;
      }
      if (seen.has(value.id)) continue;
      seen.add(value.id);
      fresh.push({ o, e: value });
    }
    if (fresh.length === 0) return { applied: [], replayed: again };
    const raw = await this.storeRaw(source.partition, through, fresh);
    const applied = raw.applied;
    const appliedIds = new Set(applied.map((e) => e.id));
    const freshOffsets = fresh.filter((f) => appliedIds.has(f.e.id)).map((f) => f.o);
    const writes = applied.length > 0 ? await this.aggregate(applied, `${source.partition}:${last}`) : undefined;
    const journal: JournalDoc = { _id: journalId(source), through: last, fresh: freshOffsets, writes: JSON.stringify(writes?.journal ?? { days: [], daySets: [], pidDays: [], hosts: [] }) };
    await this.writeJournal(journal);
    raw.commit();
    if (writes) {
      await this.writeAll(writes.journal);
      writes.commit();
    }
    this.through.set(journal._id, { through: last, fresh: new Set(freshOffsets) });
    return { applied, replayed: again };
  }

  /** The last offset of this source whose writes are durable; re-writes its journal once per process. */
  async appliedThrough(source: BatchSource): Promise<number> {
    const id = journalId(source);
    const known = this.through.get(id);
    if (known !== undefined) return known.through;
    const j = await this.coll<JournalDoc>(SSH_COLLECTIONS.journal).findOne({ _id: id });
    if (j) await this.writeAll(JSON.parse(j.writes) as JournalWrites);
    const through = j?.through ?? -1;
    this.through.set(id, { through, fresh: new Set(j?.fresh ?? []) });
    return through;
  }

  /**
   * Stores the new events raw, one bundle per UTC day; returns those not applied before (by id, from
   * the day's valid bundles: a bundle left by a try cut short before its journal write is not yet valid).
   * The ids become "seen" through `commit`, once the batch is durable.
   */
  private async storeRaw(partition: number, through: number, fresh: Array<{ o: number; e: SshEvent }>): Promise<{ applied: SshEvent[]; commit: () => void }> {
    const byDay = new Map<string, Array<{ o: number; e: SshEvent }>>();
    for (const f of fresh) {
      const day = new Date(f.e.time).toISOString().slice(0, 10);
      let list = byDay.get(day);
      if (!list) byDay.set(day, (list = []));
      list.push(f);
    }
    const isNew = new Set<string>();
    const commits: Array<() => void> = [];
    for (const [day, list] of byDay) {
      const seen = await this.seenOn(partition, day, through);
      const news = list.filter((f) => !seen.has(f.e.id));
      if (news.length === 0) continue;
      await this.coll<RawBundleDoc>(SSH_COLLECTIONS.raw(day)).insertOne(rawBundle(`${partition}:${news[0].o}:${randomBytes(4).toString('hex')}`, partition, news));
      for (const f of news) isNew.add(f.e.id);
      commits.push(() => {
        for (const f of news) seen.add(f.e.id);
        this.seenIds.set(`${partition}|${day}`, seen); // weighed again, grown
      });
    }
    // In batch order (in-batch duplicates are gone already).
    return { applied: fresh.filter((f) => isNew.has(f.e.id)).map((f) => f.e), commit: () => commits.forEach((c) => c()) };
  }

  /** The ids applied from this partition on this UTC day: cached, else read from the day's bundles (one bounded collection). */
  private async seenOn(partition: number, day: string, through: number): Promise<Set<string>> {
    const key = `${partition}|${day}`;
    let seen = this.seenIds.get(key);
    if (!seen) {
      seen = new Set();
      for (const b of await this.coll<RawBundleDoc>(SSH_COLLECTIONS.raw(day)).find({ p: partition }).toArray()) if (b.o <= through) for (const id of idsOfBundle(b)) seen.add(id);
      this.seenIds.set(key, seen);
    }
    return seen;
  }

  /** The documents these new events change or add, and how to take them into the cache once written. */
  private async aggregate(events: SshEvent[], tag: string): Promise<{ journal: JournalWrites; commit: () => void }> {
    // Cached states change in place: applyBatch drops the whole cache when a batch fails.
    const state = new WorkingState(false);
    const need = this.aggregator.needed(events);
    await this.loadDays(need.days, state.baseDays);
    await this.loadPidDays(need.pidDays, state.basePidDays);
    this.aggregator.apply(events, state);

    const hosts = await this.loadHosts();
    const hostWrites = new Map<string, HostDoc>();
    for (const e of events) {
      const t = new Date(e.time);
      const h = hostWrites.get(e.host) ?? hosts.get(e.host);
      const next = h ? { _id: e.host, firstAt: t < h.firstAt ? t : h.firstAt, lastAt: t > h.lastAt ? t : h.lastAt } : { _id: e.host, firstAt: t, lastAt: t };
      hostWrites.set(e.host, next);
    }
    const journal: JournalWrites = {
      days: [...state.changedDays.values()].map(dayToDoc),
      daySets: [...state.dayDeltas]
        .filter(([, d]) => d.sources.size > 0 || d.attempts.size > 0)
        .map(([id, d]) => {
          const sep = id.lastIndexOf('|');
          return daySetDoc(id.slice(0, sep), id.slice(sep + 1), tag, d);
        }),
      pidDays: [...state.changedPids].map(([id, pids]) => pidDaySegment(id, tag, state.pidDay(id)!, pids)),
      hosts: [...hostWrites.values()].map((h) => ({ _id: h._id, firstAt: h.firstAt.toISOString(), lastAt: h.lastAt.toISOString() })),
    };
    return {
      journal,
      commit: () => {
        for (const [id, d] of state.changedDays) this.days.set(id, d);
        for (const [id, p] of state.changedPidDays) this.pidDays.set(id, p);
        for (const [host, h] of hostWrites) hosts.set(host, h);
      },
    };
  }

  /** Day states by `host|date`: from the cache, else the figures by `_id` and the segments by host and date (bounded, per month). */
  private async loadDays(ids: Set<string>, into: Map<string, DayState | null>): Promise<void> {
    for (const [month, list] of this.missing(ids, this.days, into)) {
      const figures = await this.coll<DayDoc>(SSH_COLLECTIONS.days(month)).find({ _id: { $in: list } }).toArray();
      const { hosts, dates } = splitIds(list);
      const sets = await this.coll<DaySetDoc>(SSH_COLLECTIONS.daySets(month)).find({ host: { $in: hosts }, date: { $in: dates } }).toArray();
      const setsOf = groupBy(sets, (d) => `${d.host}|${d.date}`);
      const found = new Map(figures.map((d) => [d._id, dayFromDocs(d, setsOf.get(d._id) ?? [])]));
      for (const id of list) {
        const st = found.get(id) ?? null;
        into.set(id, st);
        this.days.set(id, st);
      }
    }
  }

  /** PID days by `host|utcDate`: from the cache, else merged from their segments (bounded, per month). */
  private async loadPidDays(ids: Set<string>, into: Map<string, PidDayState | null>): Promise<void> {
    for (const [month, list] of this.missing(ids, this.pidDays, into)) {
      const { hosts, dates } = splitIds(list);
      const segments = await this.coll<PidDayDoc>(SSH_COLLECTIONS.pidDays(month)).find({ host: { $in: hosts }, utcDate: { $in: dates } }).toArray();
      const merged = new Map<string, PidDayState>();
      for (const seg of segments) {
        const id = `${seg.host}|${seg.utcDate}`;
        let m = merged.get(id);
        if (!m) merged.set(id, (m = new Map()));
        mergePidSegment(m, seg);
      }
      for (const id of list) {
        const st = merged.get(id) ?? null;
        into.set(id, st);
        this.pidDays.set(id, st);
      }
    }
  }

  /** Copies cached ids into `into`; returns the rest grouped by the date (first 7 characters: the month) in their id. */
  private missing<S>(ids: Set<string>, cache: Lru<string, S | null>, into: Map<string, S | null>): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const id of ids) {
      const c = cache.get(id);
      if (c !== undefined) {
        into.set(id, c);
        continue;
      }
      const date = id.slice(id.lastIndexOf('|') + 1);
      let list = out.get(date);
      if (!list) out.set(date, (list = []));
      list.push(id);
    }
    // One read per month: the collections are per month.
    const byMonth = new Map<string, string[]>();
    for (const [date, list] of out) {
      const key = `${date.slice(0, 7)}-01`;
      byMonth.set(key, [...(byMonth.get(key) ?? []), ...list]);
    }
    return byMonth;
  }

  private async loadHosts(): Promise<Map<string, HostDoc>> {
    if (!this.hosts) this.hosts = new Map((await this.coll<HostDoc>(SSH_COLLECTIONS.hosts).find({}).toArray()).map((h) => [h._id, h]));
    return this.hosts;
  }

  /** The durability point of a batch (protected: tests interrupt a batch on either side of it). */
  protected async writeJournal(journal: JournalDoc): Promise<void> {
    await this.coll<JournalDoc>(SSH_COLLECTIONS.journal).replaceOne({ _id: journal._id }, journal, { upsert: true });
  }

  /** Writes absolute documents by `_id` (idempotent: the same writes twice leave the same state). */
  protected async writeAll(w: JournalWrites): Promise<void> {
    const groups = new Map<string, Array<{ _id: string }>>();
    const add = (name: string, doc: { _id: string }) => {
      let list = groups.get(name);
      if (!list) groups.set(name, (list = []));
      list.push(doc);
    };
    for (const d of w.days) add(SSH_COLLECTIONS.days(d.date), d);
    for (const h of w.hosts) add(SSH_COLLECTIONS.hosts, { _id: h._id, firstAt: new Date(h.firstAt), lastAt: new Date(h.lastAt) } as HostDoc);
    for (const [name, docs] of groups) await replaceAllById(this.coll(name), docs);
    // Segments are insert-only: written again (a journal re-applied), they are duplicates and left as they are.
    const segments = new Map<string, Array<{ _id: string }>>();
    for (const d of w.daySets) segments.set(SSH_COLLECTIONS.daySets(d.date), [...(segments.get(SSH_COLLECTIONS.daySets(d.date)) ?? []), d]);
    for (const p of w.pidDays) segments.set(SSH_COLLECTIONS.pidDays(p.utcDate), [...(segments.get(SSH_COLLECTIONS.pidDays(p.utcDate)) ?? []), p]);
    for (const [name, docs] of segments) await insertReportingDuplicates(this.coll<{ _id: string }>(name), docs);
  }

  // ---- reads: each reads only the documents of the dates and hosts asked for ----

  async knownHosts(): Promise<string[]> {
    return (await this.coll<HostDoc>(SSH_COLLECTIONS.hosts).find({}, { projection: { _id: 1 } }).toArray()).map((h) => h._id).sort();
  }

  /** Removes a host from the known hosts (a retired host); its statistics stay. New events bring it back. */
  async forgetHost(host: string): Promise<void> {
    this.hosts?.delete(host);
    await this.coll<HostDoc>(SSH_COLLECTIONS.hosts).deleteOne({ _id: host });
  }

  /** Each host's first and last SSH event time. */
  async hostsSeen(): Promise<HostDoc[]> {
    return this.coll<HostDoc>(SSH_COLLECTIONS.hosts).find({}).toArray();
  }

  /** Statistics of one host for every date in `from`…`to` (inclusive); null where it stored no event that day. */
  async hostDays(host: string, from: string, to: string): Promise<Array<{ date: string; stats: SshDayStats | null }>> {
    const byId = await this.hostsDays([host], from, to);
    return datesBetween(from, to).map((date) => ({ date, stats: byId.get(dayId(host, date)) ?? null }));
  }

  /** Day statistics of several hosts over a range, by `host|date`: one read per month of the range. */
  async hostsDays(hosts: string[], from: string, to: string): Promise<Map<string, SshDayStats>> {
    const out = new Map<string, SshDayStats>();
    for (const d of await this.readDays<DayDoc>(hosts, from, to, {})) {
      out.set(d._id, { host: d.host, date: d.date, sessions: d.sessions, accepted: d.accepted, failed: d.failed, invalidUser: d.invalidUser, sources: d.sources });
    }
    return out;
  }

  /** Top client addresses by login attempts on the dates `from`…`to` (inclusive), optionally only on some hosts. */
  async topSources(opts: { from: string; to: string; hosts?: string[]; limit: number }): Promise<{ totalSources: number; sources: SshSource[] }> {
    const hosts = opts.hosts ?? (await this.knownHosts());
    const dates = datesBetween(opts.from, opts.to);
    const segments: Array<Pick<DaySetDoc, 'host' | 'attempts'>> = [];
    for (const [month, monthDates] of groupBy(dates, (d) => d.slice(0, 7))) {
      segments.push(...(await this.coll<DaySetDoc>(SSH_COLLECTIONS.daySets(`${month}-01`)).find({ host: { $in: hosts }, date: { $in: monthDates } }, { projection: { host: 1, attempts: 1 } }).toArray()));
    }
    return rankSources(segments.map((d) => ({ host: d.host, attempts: JSON.parse(d.attempts) as Array<[string, number, number, number]> })), opts.limit);
  }

  private async readDays<D extends mongo.Document>(hosts: string[], from: string, to: string, projection: mongo.Document): Promise<D[]> {
    const byColl = new Map<string, string[]>();
    for (const date of datesBetween(from, to)) {
      const name = SSH_COLLECTIONS.days(date);
      let list = byColl.get(name);
      if (!list) byColl.set(name, (list = []));
      for (const h of hosts) list.push(dayId(h, date));
    }
    const out: D[] = [];
    for (const [name, ids] of byColl) if (ids.length > 0) out.push(...((await this.coll(name).find({ _id: { $in: ids } } as never, { projection }).toArray()) as unknown as D[]));
    return out;
  }

  // ---- retention ----

  /**
   * Drops raw-event collections of UTC days older than the retention period, and PID-day collections
   * of months wholly older: bounded work (a list of collections, a drop each), whatever is stored.
   */
  async prune(now: Date): Promise<string[]> {
    const horizon = utcDate(Math.floor((now.getTime() - this.retentionDays * DAY_MS) / DAY_MS)).replaceAll('-', '');
    const names = (await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    const dropped: string[] = [];
    for (const name of names) {
      const raw = /^ssh_raw_(\d{8})$/.exec(name);
      const pids = /^ssh_pids_(\d{6})$/.exec(name);
      if ((raw && raw[1] < horizon) || (pids && `${pids[1]}31` < horizon)) {
        await this.db.dropCollection(name).catch(() => undefined);
        dropped.push(name);
      }
    }
    return dropped;
  }

  /** How many of these events are stored and applied (for tests and checks): reads their UTC days' bundles. */
  async appliedCount(events: Array<Pick<SshEvent, 'id' | 'time'>>): Promise<number> {
    const journals = await this.coll<JournalDoc>(SSH_COLLECTIONS.journal).find({}, { projection: { through: 1 } }).toArray();
    const through = new Map(journals.map((j) => [Number(j._id.slice(j._id.lastIndexOf(':') + 1)), j.through]));
    const applied = new Set<string>();
    for (const day of new Set(events.map((e) => new Date(e.time).toISOString().slice(0, 10)))) {
      for (const b of await this.coll<RawBundleDoc>(SSH_COLLECTIONS.raw(day)).find({}).toArray()) if (b.o <= (through.get(b.p) ?? -1)) for (const id of idsOfBundle(b)) applied.add(id);
    }
    return events.filter((e) => applied.has(e.id)).length;
  }
}

/** Hosts and dates of `host|date` ids. */
function splitIds(ids: string[]): { hosts: string[]; dates: string[] } {
  const hosts = new Set<string>();
  const dates = new Set<string>();
  for (const id of ids) {
    const sep = id.lastIndexOf('|');
    hosts.add(id.slice(0, sep));
    dates.add(id.slice(sep + 1));
  }
  return { hosts: [...hosts], dates: [...dates] };
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(it);
  }
  return out;
}

function journalId(s: BatchSource): string {
  return `${s.topic}:${s.partition}`;
}
