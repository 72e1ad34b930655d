import { PartitionWindows, type Attempt, type WindowChange } from './sliding-windows';

const MIN = 60_000;
const T0 = Date.parse('2026-03-01T10:00:00Z');
const opts = { maxRetry: 5, findTimeMs: 10 * MIN };

let seq = 0;
const at = (ip: string, time: number, count = 1, id = `e${seq++}`): Attempt => ({ id, sourceIp: ip, time, count });

/** Feeds attempts in order with the wall clock at `now`; returns every change. */
function feed(w: PartitionWindows, attempts: Attempt[], now: number): WindowChange[] {
  return attempts.flatMap((a) => w.add(a, now).changes);
}

describe('PartitionWindows (fail2ban maxretry/findtime in event time)', () => {
  it('triggers at exactly maxretry attempts within findtime, once', () => {
    const w = new PartitionWindows(opts);
    const ip = '203.0.113.9';
    expect(feed(w, [0, 1, 2, 3].map((i) => at(ip, T0 + i * MIN)), T0 + 4 * MIN)).toEqual([]);
    const five = feed(w, [at(ip, T0 + 4 * MIN)], T0 + 4 * MIN);
    expect(five).toEqual([{ action: 'trigger', sourceIp: ip, at: T0 + 4 * MIN, since: T0, attempts: 5 }]);
    expect(feed(w, [5, 6, 7].map((i) => at(ip, T0 + i * MIN)), T0 + 8 * MIN)).toEqual([]);
    expect(w.liveCount).toBe(1);
  });

  it('slides: attempts further apart than findtime never add up', () => {
    const w = new PartitionWindows(opts);
    // One every 2.5 min: at most 4 inside any 10-minute window (the 5th is exactly findtime after the 1st).
    const changes = feed(w, Array.from({ length: 20 }, (_, i) => at('198.51.100.1', T0 + i * 2.5 * MIN)), T0 + 50 * MIN);
    expect(changes).toEqual([]);
  });

  it('weights attempts by count (message repeated N times)', () => {
    const w = new PartitionWindows(opts);
    expect(feed(w, [at('192.0.2.1', T0, 4)], T0)).toEqual([]);
    expect(feed(w, [at('192.0.2.1', T0 + MIN, 1)], T0 + MIN).map((c) => [c.action, c.attempts])).toEqual([['trigger', 5]]);
  });

  it('counts a redelivered attempt once', () => {
    const w = new PartitionWindows(opts);
    const four = [0, 1, 2, 3].map((i) => at('192.0.2.2', T0 + i * MIN));
    feed(w, four, T0 + 4 * MIN);
    expect(four.map((a) => w.add(a, T0 + 4 * MIN).outcome)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(w.liveCount).toBe(0);
  });

  it('ignores an attempt older than the window of the address newest one', () => {
    const w = new PartitionWindows(opts);
    w.add(at('192.0.2.3', T0 + 30 * MIN), T0 + 30 * MIN);
    expect(w.add(at('192.0.2.3', T0 + 20 * MIN), T0 + 30 * MIN).outcome).toBe('late');
    expect(w.add(at('192.0.2.3', T0 + 21 * MIN), T0 + 30 * MIN).outcome).toBe('counted'); // out of order, still inside
  });

  it('keeps at most maxretry attempts per address however long the attack', () => {
    const w = new PartitionWindows(opts);
    feed(w, Array.from({ length: 1000 }, (_, i) => at('192.0.2.4', T0 + i * 100)), T0 + 100_000);
    expect(w.sources.get('192.0.2.4')!.attempts.length).toBeLessThanOrEqual(5);
  });

  it('refreshes a live alert once per hour of event time while the attack lasts', () => {
    const w = new PartitionWindows(opts);
    const attempts = Array.from({ length: 150 }, (_, i) => at('192.0.2.5', T0 + i * MIN)); // 2.5 h, one a minute
    const triggers = attempts.flatMap((a) => w.add(a, a.time).changes).filter((c) => c.action === 'trigger');
    expect(triggers.map((t) => new Date(t.at).toISOString())).toEqual(['2026-03-01T10:04:00.000Z', '2026-03-01T11:00:00.000Z', '2026-03-01T12:00:00.000Z']);
    expect(new Set(triggers.map((t) => t.since))).toEqual(new Set([T0]));
  });

  it('releases on the stream once its event time is findtime past the last attempt', () => {
    const w = new PartitionWindows(opts);
    feed(w, [0, 1, 2, 3, 4].map((i) => at('192.0.2.6', T0 + i * MIN)), T0 + 5 * MIN);
    w.add(at('192.0.2.99', T0 + 13 * MIN), T0 + 13 * MIN);
    expect(w.advance(T0 + 13 * MIN)).toEqual([]);
    w.add(at('192.0.2.99', T0 + 14 * MIN), T0 + 14 * MIN);
    expect(w.advance(T0 + 14 * MIN)).toEqual([{ action: 'release', sourceIp: '192.0.2.6', at: T0 + 14 * MIN, since: T0 }]);
    expect(w.liveCount).toBe(0);
  });

  it('releases on the wall clock in the sweep, only after a whole quiet findtime', () => {
    const w = new PartitionWindows(opts);
    feed(w, [0, 1, 2, 3, 4].map((i) => at('192.0.2.7', T0 + i * MIN)), T0 + 5 * MIN);
    expect(w.sweep(T0 + 13 * MIN)).toEqual([]);
    expect(w.sweep(T0 + 14 * MIN)).toEqual([{ action: 'release', sourceIp: '192.0.2.7', at: T0 + 14 * MIN, since: T0 }]);
    expect(w.sweep(T0 + 30 * MIN)).toEqual([]);
  });

  it('a new attack after a quiet window is a new episode', () => {
    const w = new PartitionWindows(opts);
    const first = feed(w, [0, 1, 2, 3, 4].map((i) => at('192.0.2.8', T0 + i * MIN)), T0 + 5 * MIN);
    const second = feed(w, [20, 21, 22, 23, 24].map((i) => at('192.0.2.8', T0 + i * MIN)), T0 + 25 * MIN);
    expect([...first, ...second].map((c) => [c.action, (c.since - T0) / MIN])).toEqual([
      ['trigger', 0],
      ['release', 0],
      ['trigger', 20],
    ]);
  });

  it('records a backlog whose window closed long ago (store), opens nothing, once per episode', () => {
    const w = new PartitionWindows(opts);
    const dayLater = T0 + 24 * 60 * MIN;
    const changes = feed(w, Array.from({ length: 30 }, (_, i) => at('192.0.2.10', T0 + i * MIN)), dayLater);
    expect(changes.map((c) => [c.action, c.since, c.attempts])).toEqual([['store', T0, 5]]);
    expect(w.liveCount).toBe(0);
    expect(w.sweep(dayLater)).toEqual([]);
    // Another attack later in the same backlog is another record.
    expect(feed(w, [60, 61, 62, 63, 64].map((i) => at('192.0.2.10', T0 + i * MIN)), dayLater).map((c) => c.action)).toEqual(['store']);
  });

  it('a backlog that catches up with an attack still going on opens it', () => {
    const w = new PartitionWindows(opts);
    const now = T0 + 60 * MIN;
    const changes = feed(w, Array.from({ length: 60 }, (_, i) => at('192.0.2.11', T0 + i * MIN)), now);
    expect(changes.map((c) => [c.action, c.since])).toEqual([
      ['store', T0],
      ['trigger', T0], // the attempt of 10:50 is within findtime of now (11:00)
    ]);
    expect(w.liveCount).toBe(1);
  });

  it('forgets quiet addresses once out of their window on both clocks', () => {
    const w = new PartitionWindows(opts);
    w.add(at('192.0.2.12', T0), T0 + 5 * MIN); // read 5 min late
    w.add(at('192.0.2.13', T0 + 11 * MIN), T0 + 11 * MIN);
    expect(w.advance(T0 + 11 * MIN)).toEqual([]);
    expect(w.sources.has('192.0.2.12')).toBe(true); // out of its window on the stream, touched 6 min ago on the wall clock
    w.advance(T0 + 15 * MIN);
    expect([...w.sources.keys()]).toEqual(['192.0.2.13']);
  });

  it('restored state continues the window where it stopped', () => {
    const w = new PartitionWindows(opts);
    feed(w, [0, 1, 2].map((i) => at('192.0.2.14', T0 + i * MIN)), T0 + 3 * MIN);
    const copy = new PartitionWindows(opts, { watermark: w.watermark, sources: structuredClone([...w.sources]) });
    expect(feed(copy, [at('192.0.2.14', T0 + 3 * MIN)], T0 + 3 * MIN)).toEqual([]);
    expect(feed(copy, [at('192.0.2.14', T0 + 4 * MIN)], T0 + 4 * MIN).map((c) => c.action)).toEqual(['trigger']);
  });

  it('counts an attempt stamped in the future as now: it neither moves the stream clock on nor holds an alert open', () => {
    const w = new PartitionWindows(opts);
    feed(w, [0, 1, 2, 3, 4].map((i) => at('192.0.2.20', T0 + i * MIN)), T0 + 5 * MIN);
    w.add(at('192.0.2.21', T0 + 24 * 60 * MIN), T0 + 5 * MIN); // a host a day ahead
    expect(w.advance(T0 + 5 * MIN)).toEqual([]);
    expect(w.watermark).toBe(T0 + 5 * MIN);
    feed(w, [0, 1, 2, 3, 4].map(() => at('192.0.2.22', T0 + 24 * 60 * MIN)), T0 + 6 * MIN);
    expect(w.sweep(T0 + 16 * MIN).map((c) => c.sourceIp).sort()).toEqual(['192.0.2.20', '192.0.2.22']);
  });
});
