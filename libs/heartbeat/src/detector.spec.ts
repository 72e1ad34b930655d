import { Detector, type RoundAnswer } from './detector';

const ans = (rttMs = 100): RoundAnswer => ({ rttMs, atMono: 0, atWallMs: Date.UTC(2026, 0, 1), identity: { name: 'a', host: 'h', user: 'u', pid: 1, version: '1' }, health: null, clockOffsetMs: null, jid: 'a@x/r' });
const round = (d: Detector, answered: string[], rtt = 100) => d.applyRound('n', new Map(answered.map((id) => [id, ans(rtt)])), 0);

describe('Detector (k-of-n with hysteresis)', () => {
  it('missing after 2 of the last 3 rounds, ok again after 2 good rounds: one trigger, one release', () => {
    const d = new Detector({}, false);
    d.setExpected('n', ['a@h', 'b@h']);
    expect(round(d, ['a@h', 'b@h'])).toEqual([]);
    expect(round(d, ['b@h'])).toEqual([]); // one miss: late, not missing
    expect(d.get('n', 'a@h')!.state).toBe('late');
    const t = round(d, ['b@h']);
    expect(t.map((x) => [x.kind, x.record.id])).toEqual([['trigger', 'a@h']]);
    expect(round(d, ['b@h'])).toEqual([]); // still missing: no second trigger
    expect(round(d, ['a@h', 'b@h'])).toEqual([]); // one good round is not enough
    expect(d.get('n', 'a@h')!.state).toBe('missing');
    expect(round(d, ['a@h', 'b@h']).map((x) => [x.kind, x.record.id])).toEqual([['release', 'a@h']]);
    expect(d.get('n', 'a@h')!.state).toBe('ok');
  });

  it('start-up grace: no missing verdict before one full window, restored open alerts are not re-triggered', () => {
    const d = new Detector();
    d.setExpected('n', ['a@h', 'gone@h']);
    d.restore([{ node: 'n', id: 'gone@h', expected: true, state: 'missing', alertOpen: true, lastSeenAtMs: 1 }]);
    expect(round(d, ['a@h'])).toEqual([]);
    expect(round(d, ['a@h'])).toEqual([]);
    expect(d.get('n', 'gone@h')!.state).toBe('missing');
    expect(round(d, ['a@h'])).toEqual([]); // window full: still missing, but its alert is already open
    // A never-seen expected listener becomes missing only when the first window is complete.
    const e = new Detector();
    e.setExpected('n', ['x@h']);
    expect(round(e, [])).toEqual([]);
    expect(e.get('n', 'x@h')!.state).toBe('new');
    expect(round(e, [])).toEqual([]);
    expect(round(e, []).map((t) => t.kind)).toEqual(['trigger']);
  });

  it('unexpected answers are "extra" and never alert; silent extras are forgotten after the TTL', () => {
    const d = new Detector({ extraTtlMs: 1000 }, false);
    d.setExpected('n', []);
    d.applyRound('n', new Map([['e@h', { ...ans(), atMono: 0 }]]), 0);
    expect(d.get('n', 'e@h')!.state).toBe('extra');
    expect(d.applyRound('n', new Map(), 500)).toEqual([]);
    expect(d.applyRound('n', new Map(), 900)).toEqual([]);
    expect(d.get('n', 'e@h')).toBeDefined();
    d.applyRound('n', new Map(), 1500);
    expect(d.get('n', 'e@h')).toBeUndefined();
  });

  it('blindness: states unknown, then a fresh grace window; a slow answer is late', () => {
    const d = new Detector({ lateAfterMs: 500 }, false);
    d.setExpected('n', ['a@h']);
    round(d, ['a@h'], 900);
    expect(d.get('n', 'a@h')!.state).toBe('late');
    d.markBlind();
    expect(d.get('n', 'a@h')!.state).toBe('unknown');
    d.beginGrace();
    expect(round(d, [])).toEqual([]);
    expect(round(d, [])).toEqual([]);
    expect(d.inGrace('n')).toBe(true);
    expect(round(d, []).map((t) => t.kind)).toEqual(['trigger']);
  });
});
