import type { AlertEvent, SilenceMatcher, WeeklyWindow, Weekday } from '@watchkeeper/contracts';

/** What a silence can see: the alert's labels plus its identity as labels. */
export function silenceLabels(alert: Pick<AlertEvent, 'type' | 'entity' | 'labels' | 'severity' | 'source' | 'category'>): Record<string, string> {
  return {
    ...(alert.labels ?? {}),
    alertname: alert.type,
    type: alert.type,
    severity: alert.severity,
    entity_kind: alert.entity.kind,
    entity: alert.entity.id,
    source: alert.source,
    ...(alert.category ? { category: alert.category } : {}),
  };
}

export interface SilenceRule {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
  weekly?: WeeklyWindow;
}

const regexCache = new Map<string, RegExp>();
function anchored(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

/** Alertmanager semantics: a missing label is the empty string; regexes are anchored. */
export function matcherMatches(m: SilenceMatcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  const hit = m.isRegex ? anchored(m.value).test(v) : v === m.value;
  return m.isEqual === false ? !hit : hit;
}

const DAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Day of week and minutes since midnight of `at` in `timeZone`. */
function localClock(at: Date, timeZone: string): { day: Weekday; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = get('weekday').slice(0, 3).toLowerCase() as Weekday;
  return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Inside the weekly window? A window whose end is before its start runs past midnight into the next day. */
export function inWeeklyWindow(w: WeeklyWindow, at: Date): boolean {
  const { day, minutes } = localClock(at, w.timeZone ?? 'UTC');
  const start = toMinutes(w.start);
  const end = toMinutes(w.end);
  if (start < end) return w.days.includes(day) && minutes >= start && minutes < end;
  if (start === end) return w.days.includes(day); // whole day
  const yesterday = DAYS[(DAYS.indexOf(day) + 6) % 7];
  return (w.days.includes(day) && minutes >= start) || (w.days.includes(yesterday) && minutes < end);
}

export function silenceActiveAt(s: SilenceRule, at: Date): boolean {
  if (at < s.startsAt || at >= s.endsAt) return false;
  return s.weekly ? inWeeklyWindow(s.weekly, at) : true;
}

/** The first silence that covers this alert now, if any. */
export function findSilence(silences: SilenceRule[], alert: Parameters<typeof silenceLabels>[0], at: Date): SilenceRule | undefined {
  if (silences.length === 0) return undefined;
  const labels = silenceLabels(alert);
  return silences.find((s) => silenceActiveAt(s, at) && s.matchers.every((m) => matcherMatches(m, labels)));
}
