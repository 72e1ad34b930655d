import { findSilence, inWeeklyWindow, matcherMatches, type SilenceRule } from './silence-match';

const alert = { type: 'disk-full', entity: { kind: 'host', id: 'web-1' }, labels: { team: 'ops' }, severity: 'warning' as const, source: 'receiver' };

describe('silences', () => {
  it('match labels and identity with equality, regex and negation', () => {
    const labels = { alertname: 'disk-full', team: 'ops', entity: 'web-1' };
    expect(matcherMatches({ name: 'alertname', value: 'disk-full', isRegex: false, isEqual: true }, labels)).toBe(true);
    expect(matcherMatches({ name: 'entity', value: 'web-.*', isRegex: true, isEqual: true }, labels)).toBe(true);
    expect(matcherMatches({ name: 'entity', value: 'web', isRegex: true, isEqual: true }, labels)).toBe(false); // anchored
    expect(matcherMatches({ name: 'team', value: 'ops', isRegex: false, isEqual: false }, labels)).toBe(false);
    expect(matcherMatches({ name: 'missing', value: '', isRegex: false, isEqual: true }, labels)).toBe(true);
  });

  it('apply only between start and end, and inside the weekly window', () => {
    const s: SilenceRule = {
      id: 's1',
      matchers: [{ name: 'entity', value: 'web-1', isRegex: false, isEqual: true }],
      startsAt: new Date('2026-03-01T00:00:00Z'),
      endsAt: new Date('2026-04-01T00:00:00Z'),
      weekly: { days: ['sun'], start: '02:00', end: '04:00', timeZone: 'UTC' },
    };
    expect(findSilence([s], alert, new Date('2026-03-08T03:00:00Z'))?.id).toBe('s1'); // a Sunday
    expect(findSilence([s], alert, new Date('2026-03-08T04:00:00Z'))).toBeUndefined();
    expect(findSilence([s], alert, new Date('2026-03-09T03:00:00Z'))).toBeUndefined(); // Monday
    expect(findSilence([s], alert, new Date('2026-04-05T03:00:00Z'))).toBeUndefined(); // after the end
    expect(findSilence([{ ...s, weekly: undefined }], { ...alert, entity: { kind: 'host', id: 'web-2' } }, new Date('2026-03-09T03:00:00Z'))).toBeUndefined();
  });

  it('handles windows across midnight and time zones', () => {
    const w = { days: ['fri' as const], start: '22:00', end: '02:00', timeZone: 'UTC' };
    expect(inWeeklyWindow(w, new Date('2026-03-06T23:00:00Z'))).toBe(true); // Friday night
    expect(inWeeklyWindow(w, new Date('2026-03-07T01:00:00Z'))).toBe(true); // Saturday early
    expect(inWeeklyWindow(w, new Date('2026-03-07T23:00:00Z'))).toBe(false);
    const rome = { days: ['mon' as const], start: '09:00', end: '10:00', timeZone: 'Europe/Rome' };
    expect(inWeeklyWindow(rome, new Date('2026-01-05T08:30:00Z'))).toBe(true); // 09:30 in Rome (CET)
    expect(inWeeklyWindow(rome, new Date('2026-01-05T09:30:00Z'))).toBe(false);
  });
});
