/**
 * fail2ban's rule on a stream, per source address, in event time: `maxRetry` or more attempts within
 * `findTimeMs` is an attack; it lasts until the address has been quiet for `findTimeMs`. Pure: the
 * caller feeds attempts of one partition in offset order and turns the returned changes into alerts.
 */
export interface WindowOptions {
  maxRetry: number;
  findTimeMs: number;
}

export interface Attempt {
  /** The sshd event id: redeliveries within the window are recognised by it. */
  id: string;
  sourceIp: string;
  /** Event time, ms since the epoch. */
  time: number;
  /** How many attempts the event stands for (`message repeated N times`). */
  count: number;
}

/**
 * `trigger`: an attack seen while it still goes on (wall clock within findtime of its last attempt),
 * or a refresh once per hour of event time while it lasts. `store`: an attack whose quiet window had
 * already passed on the wall clock when it was seen (a backlog): history only, nothing left open.
 * `release`: a live attack's address has been quiet for findtime.
 */
export interface WindowChange {
  action: 'trigger' | 'release' | 'store';
  sourceIp: string;
  /** Event time of the change (for a release: when the quiet window completed). */
  at: number;
  /** Start of the episode (the oldest attempt of the window that crossed the threshold). */
  since: number;
  /** Attempts counted in the window when it crossed (trigger/store). */
  attempts?: number;
}

export type AddOutcome = 'counted' | 'duplicate' | 'late';

/** One address's state: the newest attempts (enough to decide) and the episode it is in, if any. */
export interface SourceWindow {
  /** Ascending by time; within findtime of `maxTime`, and only as many as reach maxRetry. */
  attempts: Array<{ t: number; id: string; n: number }>;
  maxTime: number;
  /** Wall clock of the last attempt applied: a source stays in memory for findtime after it. */
  touched: number;
  episode?: { since: number; last: number; live: boolean; bucket: number };
}

const hourOf = (ms: number) => Math.floor(ms / 3_600_000);

export class PartitionWindows {
  readonly sources = new Map<string, SourceWindow>();
  /** Sources with a live (open) alert: what the wall-clock sweep visits. */
  private readonly live = new Set<string>();
  /** Newest event time seen on the partition: the stream's clock. */
  watermark = 0;

  constructor(private readonly opts: WindowOptions, restored?: { watermark: number; sources: Iterable<[string, SourceWindow]> }) {
    if (restored) {
      this.watermark = restored.watermark;
      for (const [ip, s] of restored.sources) {
        this.sources.set(ip, s);
        if (s.episode?.live) this.live.add(ip);
      }
    }
  }

  get liveCount(): number {
    return this.live.size;
  }

  /**
   * Applies one attempt; `now` is the wall clock (ms). An attempt stamped later than `now` counts as
   * now: a host whose clock runs ahead must not move the stream's clock on (releasing others' alerts
   * early) nor hold an alert open until its future time.
   */
  add(attempt: Attempt, now: number): { outcome: AddOutcome; changes: WindowChange[] } {
    const a = attempt.time > now ? { ...attempt, time: now } : attempt;
    const { findTimeMs, maxRetry } = this.opts;
    const changes: WindowChange[] = [];
    let s = this.sources.get(a.sourceIp);
    if (s?.attempts.some((x) => x.id === a.id)) return { outcome: 'duplicate', changes };
    // Older than the window of the address's newest attempt: it cannot count any more (fail2ban ignores such lines too).
    if (s && a.time <= s.maxTime - findTimeMs) return { outcome: 'late', changes };
    if (a.time > this.watermark) this.watermark = a.time;
    if (!s) {
      s = { attempts: [], maxTime: a.time, touched: now };
      this.sources.set(a.sourceIp, s);
    }
    // A quiet window passed in the address's own event time: the episode before it has ended.
    if (s.episode && a.time - s.episode.last >= findTimeMs) changes.push(...this.end(a.sourceIp, s));
    s.touched = now;
    s.maxTime = Math.max(s.maxTime, a.time);
    insertByTime(s.attempts, { t: a.time, id: a.id, n: a.count });
    trim(s, findTimeMs, maxRetry);
    const inWindow = s.attempts.reduce((sum, x) => sum + x.n, 0);
    const ep = s.episode;
    if (ep) ep.last = Math.max(ep.last, a.time);
    if (inWindow < maxRetry) return { outcome: 'counted', changes };

    const goingOn = now - s.maxTime < findTimeMs;
    if (!ep) {
      const since = s.attempts[0].t;
      s.episode = { since, last: s.maxTime, live: goingOn, bucket: hourOf(s.maxTime) };
      if (goingOn) this.live.add(a.sourceIp);
      changes.push({ action: goingOn ? 'trigger' : 'store', sourceIp: a.sourceIp, at: a.time, since, attempts: inWindow });
    } else if (!ep.live && goingOn) {
      // A backlog caught up with an attack that still goes on: now it is open.
      ep.live = true;
      ep.bucket = hourOf(a.time);
      this.live.add(a.sourceIp);
      changes.push({ action: 'trigger', sourceIp: a.sourceIp, at: a.time, since: ep.since, attempts: inWindow });
    } else if (ep.live && hourOf(a.time) > ep.bucket) {
      ep.bucket = hourOf(a.time);
      changes.push({ action: 'trigger', sourceIp: a.sourceIp, at: a.time, since: ep.since, attempts: inWindow });
    }
    return { outcome: 'counted', changes };
  }

  /**
   * After a chunk: the stream's clock ends episodes quiet for findtime (live ones released) and
   * forgets addresses that are out of their window on both clocks. Visits the addresses in memory,
   * which are those seen within findtime: bounded by the window, not by history.
   */
  advance(now: number): WindowChange[] {
    const { findTimeMs } = this.opts;
    const changes: WindowChange[] = [];
    for (const [ip, s] of this.sources) {
      const quietOnStream = this.watermark - s.maxTime >= findTimeMs;
      const idle = now - s.touched >= findTimeMs;
      if (s.episode?.live && quietOnStream) changes.push(...this.end(ip, s));
      // A past episode is ended by the address's own next attempt, or here once idle on both clocks.
      if (s.episode && !s.episode.live && quietOnStream && idle) changes.push(...this.end(ip, s));
      if (!s.episode && quietOnStream && idle) this.sources.delete(ip);
    }
    return changes;
  }

  /** Wall-clock release of live alerts quiet for findtime; visits only the live ones. */
  sweep(now: number): WindowChange[] {
    const changes: WindowChange[] = [];
    for (const ip of [...this.live]) {
      const s = this.sources.get(ip);
      if (s?.episode && now - s.episode.last >= this.opts.findTimeMs) changes.push(...this.end(ip, s));
    }
    return changes;
  }

  private end(ip: string, s: SourceWindow): WindowChange[] {
    const ep = s.episode;
    if (!ep) return [];
    s.episode = undefined;
    if (!ep.live) return [];
    this.live.delete(ip);
    return [{ action: 'release', sourceIp: ip, at: ep.last + this.opts.findTimeMs, since: ep.since }];
  }
}

function insertByTime(list: SourceWindow['attempts'], item: SourceWindow['attempts'][number]): void {
  let i = list.length;
  while (i > 0 && list[i - 1].t > item.t) i--;
  list.splice(i, 0, item);
}

/**
 * Drops attempts outside the window of the newest one, then the oldest while the newer ones alone
 * reach maxRetry: they decide the same way, so memory per address is at most maxRetry attempts.
 */
function trim(s: SourceWindow, findTimeMs: number, maxRetry: number): void {
  const from = s.maxTime - findTimeMs;
  while (s.attempts.length && s.attempts[0].t <= from) s.attempts.shift();
  let newer = s.attempts.reduce((sum, x) => sum + x.n, 0);
  while (s.attempts.length > 1 && newer - s.attempts[0].n >= maxRetry) newer -= s.attempts.shift()!.n;
}
