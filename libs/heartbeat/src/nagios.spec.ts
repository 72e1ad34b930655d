import type { ListenersResponse, ListenerView } from '@watchkeeper/contracts';
import { evaluateCheck, MAX_PLUGIN_OUTPUT } from './nagios';

const l = (id: string, state: ListenerView['state'], rtt: number | null, expected = true): ListenerView => ({
  id, node: 'hb', state, expected, lastSeenAt: null, rttMs: rtt, latencyHistoryMs: [rtt], consecutiveMisses: rtt === null ? 2 : 0,
  host: null, user: null, protocol: null, pid: null, version: null, clockOffsetMs: null, queueDepth: null, dispatchDelayMs: null,
});
const view = (listeners: ListenerView[], blind: string[] = []): ListenersResponse => ({
  server: 'wk-server@localhost', generatedAt: new Date().toISOString(), intervalMs: 10000, timeoutMs: 5000, blind, inGrace: false,
  nodes: [{ node: 'hb', intervalMs: 10000, timeoutMs: 5000, lastRound: { roundId: 'r', seq: 9, startedAt: new Date().toISOString(), durationMs: 812, complete: false } }],
  listeners,
});
const opts = { warnRttS: 2, critRttS: 5 };

describe('Nagios check output', () => {
  it('CRITICAL names the missing listener, with guideline perfdata and one long line per node', () => {
    const r = evaluateCheck(view([l('alice@host1', 'missing', null), l('bob@host2', 'ok', 812), l('carol@host3', 'ok', 300)]), opts);
    expect(r.code).toBe(2);
    const [status, ...long] = r.output.split('\n');
    expect(status).toBe('HEARTBEAT CRITICAL - 1/3 listeners missing (alice@host1) | expected=3;;;0 received=2;;;0 missing=1;0;0;0 rtt_max=0.812s;2;5;0');
    expect(long).toEqual(['node hb: 3 expected; 2 answered; missing: alice@host1; round 9 took 0.812 s (timed out)']);
  });

  it('OK, WARNING (slow or unexpected), UNKNOWN when blind, filters by listener', () => {
    expect(evaluateCheck(view([l('a@h', 'ok', 100)]), opts)).toMatchObject({ code: 0, output: expect.stringMatching(/^HEARTBEAT OK - 1\/1 listeners answering \|/) });
    expect(evaluateCheck(view([l('a@h', 'ok', 2500)]), opts).code).toBe(1);
    expect(evaluateCheck(view([l('a@h', 'ok', 6000)]), opts).code).toBe(2);
    expect(evaluateCheck(view([l('a@h', 'ok', 10), l('x@h', 'extra', 10, false)]), opts)).toMatchObject({ code: 1, output: expect.stringContaining('1 unexpected (x@h)') });
    expect(evaluateCheck(view([l('a@h', 'unknown', null)], ['xmpp']), opts)).toMatchObject({ code: 3, output: expect.stringMatching(/^HEARTBEAT UNKNOWN - monitor blind \(xmpp\)/) });
    const two = view([l('a@h', 'missing', null), l('b@h', 'ok', 10)]);
    expect(evaluateCheck(two, { ...opts, listener: 'b@h' }).code).toBe(0);
    expect(evaluateCheck(two, { ...opts, listener: 'zzz@h' }).code).toBe(2);
  });

  it('stays within 8192 bytes with thousands of listeners', () => {
    const many = Array.from({ length: 3000 }, (_, i) => l(`listener-${i}@host-${i}.example.org`, i % 2 ? 'missing' : 'late', null));
    const r = evaluateCheck(view(many), opts);
    expect(Buffer.byteLength(r.output)).toBeLessThanOrEqual(MAX_PLUGIN_OUTPUT);
    expect(r.output.split('\n')[0]).toMatch(/^HEARTBEAT CRITICAL - 1500\/3000 listeners missing .*\+1495 more.*\| expected=3000/);
  });
});
