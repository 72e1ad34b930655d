import { HeartbeatStatus } from '@watchkeeper/contracts';
import { VirtualClock } from './clock';
import { Detector } from './detector';
import { buildResponse, decodeRequest } from './protocol';
import { HeartbeatRunner, type HeartbeatTransport } from './runner';

// The runner no longer zod-parses each status it builds (the Kafka producer validates them where they
// leave the process); this keeps what it builds honest against the contract.
describe('HeartbeatRunner statuses', () => {
  it('every status of a round (answered, silent, odd host) satisfies the HeartbeatStatus contract', async () => {
    const clock = new VirtualClock();
    const detector = new Detector({}, false);
    detector.setExpected('hb', ['a@host1', 'b@host2', 'silent@host3']);
    // eslint-disable-next-line prefer-const -- the transport's closure needs it first
    let runner: HeartbeatRunner;
    const answer = (name: string, host: string, request: unknown) => {
      const decoded = decodeRequest(request);
      if (!decoded.ok) throw new Error(decoded.error);
      const body = buildResponse({ request: decoded.value, listener: { name, host, user: 'u', pid: 1, version: 't' }, health: { queueDepth: 0, dispatchDelayMs: 1 }, now: new Date(clock.wallMs()) });
      clock.setTimeout(() => runner.handleAnswer(JSON.parse(JSON.stringify(body)), `${name}@localhost/r`), 20);
    };
    const transport: HeartbeatTransport = {
      selfJid: () => 'srv@localhost/m',
      publishRequest: async (_node, request) => {
        answer('a', 'host1', request);
        answer('b', 'host2', request);
        // Not expected, and a host the contract's HostName refuses: must still give a valid status.
        answer('x', 'bad host!', request);
      },
      sendRequest: async () => undefined,
    };
    const statuses: HeartbeatStatus[] = [];
    runner = new HeartbeatRunner({ server: 'srv@localhost', nodes: ['hb'], intervalMs: 1000, timeoutMs: 500, retryEveryMs: 0 }, detector, transport, clock, {
      onRoundClosed: (_s, list) => statuses.push(...list),
    });
    const round = runner.runRound('hb');
    await clock.advance(600);
    await round;
    expect(statuses.map((s) => `${s.listenerId}:${s.state}`).sort()).toEqual(['a@host1:ok', 'b@host2:ok', 'silent@host3:new', 'x@bad host!:extra']);
    for (const s of statuses) expect(HeartbeatStatus.safeParse(s).error).toBeUndefined();
    expect(statuses.find((s) => s.listenerId === 'x@bad host!')?.host).toBeUndefined();
    expect(statuses.find((s) => s.listenerId === 'a@host1')?.rttMs).toBe(20);
  });

  describe('re-sends within a round (300 listeners, retry every 1 s, timeout 5 s: ticks at 1, 2 and 3 s)', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `l${i}@host`);
    /** Round 1: everyone answers at once (so JIDs are known); round 2: `delayOf(i)` ms, or null = silent. */
    async function secondRound(delayOf: (i: number) => number | null) {
      const clock = new VirtualClock();
      const detector = new Detector({}, false);
      detector.setExpected('hb', ids);
      // eslint-disable-next-line prefer-const -- the transport's closures need it first
      let runner: HeartbeatRunner;
      let round = 0;
      const resentAt: number[] = [];
      const answer = (i: number, request: unknown, delay: number) => {
        const decoded = decodeRequest(request);
        if (!decoded.ok) throw new Error(decoded.error);
        const body = buildResponse({ request: decoded.value, listener: { name: `l${i}`, host: 'host', user: 'u', pid: i, version: 't' }, health: { queueDepth: 0, dispatchDelayMs: 0 }, now: new Date(clock.wallMs()) });
        clock.setTimeout(() => runner.handleAnswer(JSON.parse(JSON.stringify(body)), `l${i}@localhost/r`), delay);
      };
      const transport: HeartbeatTransport = {
        selfJid: () => 'srv@localhost/m',
        publishRequest: async (_node, request) => {
          round += 1;
          ids.forEach((_, i) => {
            const delay = round === 1 ? 10 : delayOf(i);
            if (delay !== null) answer(i, request, delay);
          });
        },
        sendRequest: async () => {
          resentAt.push(clock.monotonicMs());
        },
      };
      runner = new HeartbeatRunner({ server: 'srv@localhost', nodes: ['hb'], intervalMs: 10_000, timeoutMs: 5_000, retryEveryMs: 1_000 }, detector, transport, clock);
      const first = runner.runRound('hb');
      await clock.advance(100);
      expect((await first).complete).toBe(true);
      const start = clock.monotonicMs();
      const second = runner.runRound('hb');
      await clock.advance(5_100);
      return { summary: await second, resentAfterMs: resentAt.map((t) => t - start) };
    }

    it('a slow round that is still answering is not re-asked (it would only answer twice)', async () => {
      // Answers spread evenly over 2.5 s: more than the budget (15) silent at the 1 s and 2 s ticks.
      const { summary, resentAfterMs } = await secondRound((i) => 20 + Math.floor((i * 2500) / 300));
      expect(summary.complete).toBe(true);
      expect(resentAfterMs).toEqual([]);
    });

    it('lost answers are re-asked once the round stops making progress, at most the budget per tick', async () => {
      // 40 silent (a lost burst), the rest answer within 0.5 s: the 1 s tick sees progress and waits;
      // the 2 s tick sees none and re-asks 15 (5 %), the last tick (3 s) 15 more.
      const { summary, resentAfterMs } = await secondRound((i) => (i < 40 ? null : 50 + i));
      expect(summary.complete).toBe(false);
      expect(resentAfterMs.filter((t) => t === 2_000)).toHaveLength(15);
      expect(resentAfterMs.filter((t) => t === 3_000)).toHaveLength(15);
      expect(resentAfterMs).toHaveLength(30);
    });

    it('a few stragglers are re-asked at the first tick', async () => {
      const { resentAfterMs } = await secondRound((i) => (i < 5 ? null : 50));
      expect(resentAfterMs).toEqual([1_000, 1_000, 1_000, 1_000, 1_000, 2_000, 2_000, 2_000, 2_000, 2_000, 3_000, 3_000, 3_000, 3_000, 3_000]);
    });
  });

  it('each node keeps its own interval and timeout (the seed\'s per-node sections); requests name the XMPP domain as server', async () => {
    const clock = new VirtualClock();
    const detector = new Detector({}, false);
    const published: Array<{ node: string; at: number; server: string }> = [];
    const transport: HeartbeatTransport = {
      selfJid: () => 'srv@example.org/m',
      publishRequest: async (node, request) => void published.push({ node, at: clock.monotonicMs(), server: request.server }),
      sendRequest: async () => undefined,
    };
    const closed: Array<{ node: string; durationMs: number }> = [];
    const runner = new HeartbeatRunner(
      { server: 'srv@example.org', nodes: ['fast', 'slow'], intervalMs: 1000, timeoutMs: 500, retryEveryMs: 0, perNode: { slow: { intervalMs: 3000, timeoutMs: 2000 } } },
      detector,
      transport,
      clock,
      { onRoundClosed: (summary) => closed.push({ node: summary.node, durationMs: summary.durationMs }) },
    );
    expect(runner.timingOf('slow')).toEqual({ intervalMs: 3000, timeoutMs: 2000, retryEveryMs: 400 });
    runner.start();
    await clock.advance(5999);
    runner.stop();
    expect(published.filter((p) => p.node === 'fast').map((p) => p.at)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(published.filter((p) => p.node === 'slow').map((p) => p.at)).toEqual([0, 3000]);
    expect(new Set(published.map((p) => p.server))).toEqual(new Set(['example.org']));
    expect(closed.find((c) => c.node === 'slow')?.durationMs).toBe(2000);
    expect(closed.find((c) => c.node === 'fast')?.durationMs).toBe(500);
    expect(() => new HeartbeatRunner({ server: 's@d', nodes: ['x'], intervalMs: 1000, timeoutMs: 500, perNode: { x: { timeoutMs: 1000 } } }, detector, transport, clock)).toThrow(/node x: timeout/);
  });

  it("collectUntilTimeout (check --once, the seed's poll): a complete roster still waits, so a later unexpected answer is judged", async () => {
    const clock = new VirtualClock();
    const detector = new Detector({ missingK: 1, windowN: 1, recoverAfter: 1 }, false);
    detector.setExpected('hb', ['a@h']);
    // eslint-disable-next-line prefer-const -- the transport's closure needs it first
    let runner: HeartbeatRunner;
    const answer = (name: string, request: unknown, after: number) => {
      const d = decodeRequest(request);
      if (!d.ok) throw new Error(d.error);
      const body = buildResponse({ request: d.value, listener: { name, host: 'h', user: 'u', pid: 1, version: 't' }, health: { queueDepth: 0, dispatchDelayMs: 0 }, now: new Date() });
      clock.setTimeout(() => runner.handleAnswer(JSON.parse(JSON.stringify(body)), null), after);
    };
    const transport: HeartbeatTransport = {
      selfJid: () => 'srv@localhost/m',
      publishRequest: async (_node, request) => {
        answer('a', request, 10);
        answer('stray', request, 300);
      },
      sendRequest: async () => undefined,
    };
    runner = new HeartbeatRunner({ server: 'srv@localhost', nodes: ['hb'], intervalMs: 1000, timeoutMs: 500, retryEveryMs: 0, collectUntilTimeout: true }, detector, transport, clock);
    const round = runner.runRound('hb');
    await clock.advance(600);
    const summary = await round;
    expect({ complete: summary.complete, answered: summary.answered, durationMs: summary.durationMs }).toEqual({ complete: true, answered: 2, durationMs: 500 });
    expect(detector.list('hb').map((r) => `${r.id}:${r.state}`).sort()).toEqual(['a@h:ok', 'stray@h:extra']);
  });
});
