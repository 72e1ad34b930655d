import { alertFingerprint, type AlertEvent } from '@watchkeeper/contracts';
import { alreadyApplied, applyAlertEvent } from './transition';

const H = 3_600_000;
const ev = (action: AlertEvent['action'], at: string, extra: Partial<AlertEvent> = {}): AlertEvent =>
  ({ id: `${action}-${at}`, action, type: 'disk-full', entity: { kind: 'host', id: 'web-1' }, severity: 'warning', labels: {}, source: 't', occurredAt: at, ...extra }) as AlertEvent;
const fp = alertFingerprint(ev('trigger', '2026-01-01T00:00:00Z'));
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('alert state machine', () => {
  it('trigger notifies, re-trigger does not until the repeat interval, release resolves with the duration', () => {
    const a = applyAlertEvent(undefined, ev('trigger', t0.toISOString()), fp, t0, 4 * H);
    expect(a.decision).toMatchObject({ notify: true, kind: 'firing', reason: 'new' });
    const b = applyAlertEvent(a.state, ev('trigger', at(H).toISOString()), fp, at(H), 4 * H);
    expect(b.decision).toMatchObject({ notify: false, reason: 'refresh' });
    expect(b.state!.triggerCount).toBe(2);
    const c = applyAlertEvent(b.state, ev('trigger', at(4 * H).toISOString()), fp, at(4 * H), 4 * H);
    expect(c.decision).toMatchObject({ notify: true, reason: 'repeat' });
    const d = applyAlertEvent(c.state, ev('release', at(5 * H + 1500).toISOString()), fp, at(5 * H + 1500), 4 * H);
    expect(d.decision).toMatchObject({ notify: true, kind: 'resolved', durationMs: 5 * H + 1500 });
    expect(d.state!.status).toBe('resolved');
    // After resolution a trigger opens a new episode.
    expect(applyAlertEvent(d.state, ev('trigger', at(6 * H).toISOString()), fp, at(6 * H), 4 * H).decision.reason).toBe('new');
  });

  it('a severity change notifies at once; a release for nothing firing is recorded without a notification', () => {
    const a = applyAlertEvent(undefined, ev('trigger', t0.toISOString()), fp, t0, 4 * H);
    const b = applyAlertEvent(a.state, ev('trigger', at(1000).toISOString(), { severity: 'critical' }), fp, at(1000), 4 * H);
    expect(b.decision).toMatchObject({ notify: true, reason: 'severity-changed' });
    const r = applyAlertEvent(undefined, ev('release', t0.toISOString()), fp, t0, 4 * H);
    expect(r).toEqual({ state: undefined, decision: { notify: false, kind: 'resolved', reason: 'unknown-release' } });
    expect(applyAlertEvent(undefined, ev('store', t0.toISOString()), fp, t0, 4 * H).decision).toMatchObject({ notify: true, kind: 'stored' });
  });

  it('knows which Kafka positions are already folded in', () => {
    const s = { ...applyAlertEvent(undefined, ev('trigger', t0.toISOString()), fp, t0, H).state!, applied: { partition: 2, offset: '41' } };
    expect(alreadyApplied(s, 2, '41')).toBe(true);
    expect(alreadyApplied(s, 2, '42')).toBe(false);
    expect(alreadyApplied(s, 1, '3')).toBe(false);
  });
});
