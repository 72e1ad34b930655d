import { brokenRules, type CrossFieldRule } from './cross-field';

describe('cross-field rules', () => {
  const dates: CrossFieldRule[] = [
    { rule: 'order', lower: 'from', upper: 'to', strict: false, message: 'order' },
    { rule: 'maxSpanDays', from: 'from', to: 'to', days: 366, message: 'span' },
  ];
  const times: CrossFieldRule[] = [
    { rule: 'order', lower: 'from', upper: 'to', strict: true, message: 'order' },
    { rule: 'maxDurationDays', from: 'from', to: 'to', days: 7, message: 'span' },
  ];
  const broken = (rules: CrossFieldRule[], v: Record<string, unknown>) => brokenRules(rules, v).map((b) => b.rule.message);

  it('dates: from ≤ to, at most 366 calendar days with both ends counted', () => {
    expect(broken(dates, { from: '2026-01-01', to: '2026-01-01' })).toEqual([]);
    expect(broken(dates, { from: '2026-01-02', to: '2026-01-01' })).toEqual(['order']);
    expect(broken(dates, { from: '2024-01-01', to: '2024-12-31' })).toEqual([]); // 366 days (leap year)
    expect(broken(dates, { from: '2025-01-01', to: '2026-01-02' })).toEqual(['span']); // 367 days
  });

  it('date-times: from < to, at most 7 × 24 h; an absent field breaks nothing', () => {
    expect(broken(times, { from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' })).toEqual([]);
    expect(broken(times, { from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00.001Z' })).toEqual(['span']);
    expect(broken(times, { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toEqual(['order']);
    expect(broken(times, { from: '2026-01-01T00:00:00Z' })).toEqual([]);
  });
});
