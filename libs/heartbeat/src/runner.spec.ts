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
});
