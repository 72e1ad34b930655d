import { CalendarDay, SshStatsAccumulator } from '@watchkeeper/ssh-stats';
import { SshBatchAggregator, WorkingState, type AggregatedEvent } from './ssh-batch-aggregator';
import { dayStats, type DayState, type PidDayState } from './ssh-day-state';
import { seededRandom } from '@watchkeeper/runtime/testing';
import { generatedSshLog } from './testing/generated-ssh-log';

/** Batches through an in-memory store, as SshEventStore does through the database. */
function aggregate(timeZone: string, batches: AggregatedEvent[][]): Map<string, DayState> {
  const agg = new SshBatchAggregator(new CalendarDay(timeZone));
  const days = new Map<string, DayState>();
  const pidDays = new Map<string, PidDayState>();
  for (const batch of batches) {
    const state = new WorkingState();
    const need = agg.needed(batch);
    for (const id of need.days) state.baseDays.set(id, days.get(id) ?? null);
    for (const id of need.pidDays) state.basePidDays.set(id, pidDays.get(id) ?? null);
    agg.apply(batch, state);
    for (const [id, d] of state.changedDays) days.set(id, d);
    for (const [id, p] of state.changedPidDays) pidDays.set(id, p);
  }
  return days;
}

function inBatches<T>(items: T[], rnd: () => number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const n = 1 + Math.floor(rnd() * 40);
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}

function shuffledLate<T>(items: T[], rnd: () => number, share: number): T[] {
  // Mostly in order, with a share of lines moved much later (late lines, out-of-order shipping).
  const late: T[] = [];
  const rest: T[] = [];
  for (const it of items) (rnd() < share ? late : rest).push(it);
  for (const it of late) rest.splice(Math.floor(rnd() * (rest.length + 1)), 0, it);
  return rest;
}

describe('SshBatchAggregator equals SshStatsAccumulator', () => {
  const cases: Array<[string, string]> = [
    ['Europe/Berlin', '2026-03-27T00:00:00Z'], // DST starts on 2026-03-29
    ['America/New_York', '2026-10-30T12:00:00Z'], // DST ends on 2026-11-01
    ['Asia/Kolkata', '2026-12-29T00:00:00Z'], // a year rollover at +05:30
    ['UTC', '2026-12-30T20:00:00Z'],
  ];
  it.each(cases)('in %s from %s, lines late and in batches of any size', (tz, start) => {
    for (let seed = 1; seed <= 5; seed++) {
      const rnd = seededRandom(seed);
      const events = generatedSshLog({ hosts: ['h1', 'h2'], start: Date.parse(start), days: 4, sessionsPerDay: 60, rnd, pidRange: 40 });
      const expected = new SshStatsAccumulator({ timeZone: tz }).addAll(events).days();
      const days = aggregate(tz, inBatches(shuffledLate(events, rnd, 0.1), rnd));
      const got = [...days.values()].map(dayStats).sort((a, b) => (a.host + a.date < b.host + b.date ? -1 : 1));
      expect(got).toEqual(expected);
      // Attempts per address, as the stored-events query counted them.
      const naive = new Map<string, number>();
      for (const e of events) {
        if (!e.sourceIp || e.method === 'none' || !['failed', 'accepted', 'invalid_user'].includes(e.kind)) continue;
        const k = `${e.host}|${new CalendarDay(tz).of(Date.parse(e.time))}|${e.sourceIp}`;
        naive.set(k, (naive.get(k) ?? 0) + (e.count ?? 1));
      }
      const stored = new Map<string, number>();
      for (const d of days.values()) for (const [ip, c] of d.attempts) stored.set(`${d.host}|${d.date}|${ip}`, c[0] + c[1] + c[2]);
      expect(stored).toEqual(naive);
    }
  });

  it('a late line that bridges two spans removes a session; one that starts earlier moves it to the earlier date', () => {
    const ev = (time: string, pid = 7): AggregatedEvent => ({ host: 'h', time, kind: 'session_opened', pid, count: 1 });
    const lines = [ev('2026-05-01T10:00:00Z'), ev('2026-05-02T20:00:00Z')]; // 34 h apart: two sessions
    let days = aggregate('UTC', [lines]);
    expect([...days.values()].map((d) => [d.date, d.sessions])).toEqual([['2026-05-01', 1], ['2026-05-02', 1]]);
    days = aggregate('UTC', [lines, [ev('2026-05-02T08:00:00Z')]]); // bridges: one session
    expect([...days.values()].map((d) => [d.date, d.sessions]).sort()).toEqual([['2026-05-01', 1], ['2026-05-02', 0]]);
    days = aggregate('UTC', [lines, [ev('2026-04-30T23:00:00Z')]]); // the start moves a day back
    expect([...days.values()].map((d) => [d.date, d.sessions]).sort()).toEqual([['2026-04-30', 1], ['2026-05-01', 0], ['2026-05-02', 1]]);
  });
});
