import type { HeartbeatRequest } from '@watchkeeper/contracts';
import { seededRandom } from '@watchkeeper/runtime/testing';
import { VirtualClock } from '../clock';
import { Detector, type DetectorOptions, type Transition } from '../detector';
import { buildResponse, decodeRequest } from '../protocol';
import { HeartbeatRunner, type HeartbeatTransport } from '../runner';

export interface SimulationOptions {
  seed: number;
  listeners: number;
  hours: number;
  intervalMs: number;
  timeoutMs: number;
  retryEveryMs?: number;
  /** Probability that any one message (request or answer) is lost. */
  loss: number;
  /** Each message is delayed by a uniform 0..jitterMs (plus 5 ms). */
  jitterMs: number;
  detector?: Partial<DetectorOptions>;
  /** Listener index → simulated hour at which it wedges (stops answering for good). */
  wedgeAt?: Record<number, number>;
}

export interface SimulationResult {
  rounds: number;
  transitions: Array<Transition & { atMs: number }>;
  missingVerdicts: Array<{ id: string; atMs: number }>;
  lost: number;
  delivered: number;
  resends: number;
}

/**
 * The real runner and detector on a virtual clock, with listeners that answer through a lossy,
 * jittery network. Nothing here sleeps: a simulated day takes seconds.
 */
export async function simulate(o: SimulationOptions): Promise<SimulationResult> {
  const clock = new VirtualClock();
  const rnd = seededRandom(o.seed);
  const result: SimulationResult = { rounds: 0, transitions: [], missingVerdicts: [], lost: 0, delivered: 0, resends: 0 };
  const jidOf = (i: number) => `sim${i}@localhost/listener`;
  const server = 'wk-server@localhost';
  const self = `${server}/monitor`;
  // eslint-disable-next-line prefer-const -- assigned below; the transport's closures need it first
  let runner: HeartbeatRunner;

  const deliver = (fn: () => void) => {
    if (rnd() < o.loss) {
      result.lost += 1;
      return;
    }
    result.delivered += 1;
    clock.setTimeout(fn, 5 + rnd() * o.jitterMs);
  };
  const listenerReceives = (i: number, request: HeartbeatRequest) => {
    const wedge = o.wedgeAt?.[i];
    if (wedge !== undefined && clock.monotonicMs() >= wedge * 3_600_000) return;
    const decoded = decodeRequest(request);
    if (!decoded.ok) throw new Error(decoded.error);
    const answer = buildResponse({
      request: decoded.value,
      listener: { name: `sim${i}`, host: 'simhost', user: 'sim', pid: 1000 + i, version: 'sim' },
      health: { queueDepth: 0, dispatchDelayMs: 0 },
      now: new Date(clock.wallMs()),
    });
    deliver(() => runner.handleAnswer(JSON.parse(JSON.stringify(answer)), jidOf(i)));
  };
  const transport: HeartbeatTransport = {
    selfJid: () => self,
    publishRequest: async (_node, request) => {
      for (let i = 0; i < o.listeners; i++) deliver(() => listenerReceives(i, request));
    },
    sendRequest: async (to, request) => {
      result.resends += 1;
      const i = Number(/^sim(\d+)@/.exec(to)![1]);
      deliver(() => listenerReceives(i, request));
    },
  };
  const detector = new Detector(o.detector);
  detector.setExpected('heartbeat', Array.from({ length: o.listeners }, (_, i) => `sim${i}@simhost`));
  runner = new HeartbeatRunner(
    { server, nodes: ['heartbeat'], intervalMs: o.intervalMs, timeoutMs: o.timeoutMs, retryEveryMs: o.retryEveryMs },
    detector,
    transport,
    clock,
    {
      onRoundClosed: (_s, statuses, transitions) => {
        result.rounds += 1;
        const atMs = clock.monotonicMs();
        for (const t of transitions) result.transitions.push({ ...t, atMs });
        for (const s of statuses) if (s.state === 'missing') result.missingVerdicts.push({ id: s.listenerId, atMs });
      },
    },
  );
  runner.start();
  const end = o.hours * 3_600_000;
  // Advance in one-minute steps to keep the timer queue short.
  for (let t = 0; t < end; t += 60_000) await clock.advance(Math.min(60_000, end - t));
  runner.stop();
  return result;
}
