import { simulate } from './testing/simulation';

// The scenario: 24 simulated hours, 5 % message loss, 1 s jitter, default settings
// (interval 10 s, timeout 5 s, missing after 2 of 3 rounds, ok after 2 good rounds).
const day = { seed: 20260101, listeners: 10, hours: 24, intervalMs: 10_000, timeoutMs: 5_000, loss: 0.05, jitterMs: 1_000 };

describe('detector simulation on a virtual clock', () => {
  it('24 hours at 5% loss and 1 s jitter: zero false missing verdicts', async () => {
    const r = await simulate(day);
    expect(r.rounds).toBe(24 * 360);
    // The network really was lossy and the runner really had to re-ask.
    expect(r.lost).toBeGreaterThan(0.04 * (r.lost + r.delivered));
    expect(r.resends).toBeGreaterThan(1000);
    expect(r.missingVerdicts).toEqual([]);
    expect(r.transitions).toEqual([]);
  }, 120_000);

  it('still catches a listener that wedges: missing within 2 intervals + timeout, exactly one trigger', async () => {
    const r = await simulate({ ...day, hours: 2, wedgeAt: { 3: 1 } });
    const triggers = r.transitions.filter((t) => t.kind === 'trigger');
    expect(triggers.map((t) => t.record.id)).toEqual(['sim3@simhost']);
    const wedgedAt = 3_600_000;
    expect(triggers[0].atMs - wedgedAt).toBeLessThanOrEqual(2 * day.intervalMs + day.timeoutMs);
    expect(new Set(r.missingVerdicts.map((m) => m.id))).toEqual(new Set(['sim3@simhost']));
  }, 60_000);

  it('without in-round re-sends the same loss does give false verdicts (why the runner re-asks)', async () => {
    const r = await simulate({ ...day, hours: 6, retryEveryMs: 0 });
    expect(r.resends).toBe(0);
    expect(r.missingVerdicts.length).toBeGreaterThan(0);
  }, 60_000);
});
