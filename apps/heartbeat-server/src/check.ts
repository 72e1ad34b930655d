import { z } from 'zod';
import { ListenersResponse } from '@watchkeeper/contracts';
import { Detector, evaluateCheck, HeartbeatRunner, listenersResponse, realClock, unknownResult, XmppHeartbeatTransport, type CheckResult } from '@watchkeeper/heartbeat';
import { createLogger, env, loadConfig } from '@watchkeeper/runtime';
import { PubsubClient, XmppSession } from '@watchkeeper/xmpp';
import { xmppCredentials } from './xmpp-credentials';
import { planOf, roundConfig, xmppConfig } from './config';

export const checkUsage = `watchkeeper-heartbeat-server check — Nagios plugin: are the heartbeat listeners answering?

Usage: watchkeeper-heartbeat-server check [--node N] [--listener ID] [-w SECS] [-c SECS] [--url URL] [-t SECS] [--once]

  --node N        only this pubsub node
  --listener ID   only this listener (name@host)
  -w SECS         WARNING when the slowest answer took longer (default 2)
  -c SECS         CRITICAL when the slowest answer took longer (default 5)
  --url URL       the running heartbeat-server (default http://127.0.0.1:$HEARTBEAT_SERVER_PORT, port 8081)
  -t SECS         give up after this long: UNKNOWN (default 10)
  --once          do not ask the server: run one round per node now with the server's XMPP settings
                  (env), taking answers until the node's timeout, as the seed did; expected listeners
                  from HEARTBEAT_EXPECTED, HEARTBEAT_NODE_CONFIG[_FILE] and --listener

Exit: 0 OK, 1 WARNING (late, unexpected or slow listeners), 2 CRITICAL (missing listener), 3 UNKNOWN
(server unreachable or blind, bad arguments).
`;

interface CheckArgs {
  node?: string;
  listener?: string;
  warnRttS: number;
  critRttS: number;
  url?: string;
  timeoutS: number;
  once: boolean;
}

export function parseCheckArgs(argv: string[]): CheckArgs {
  const a: CheckArgs = { warnRttS: 2, critRttS: 5, timeoutS: 10, once: false };
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number of seconds`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${f} needs a value`);
      return v;
    };
    if (f === '--node' || f === '-n') a.node = value();
    else if (f === '--listener' || f === '-l') a.listener = value();
    else if (f === '-w' || f === '--warning') a.warnRttS = num(f, argv[++i]);
    else if (f === '-c' || f === '--critical') a.critRttS = num(f, argv[++i]);
    else if (f === '--url' || f === '-u') a.url = value();
    else if (f === '-t' || f === '--timeout') a.timeoutS = num(f, argv[++i]);
    else if (f === '--once') a.once = true;
    else throw new Error(`unknown option ${f}`);
  }
  if (a.warnRttS > a.critRttS) throw new Error('-w must not exceed -c');
  return a;
}

/** Runs the check; prints the plugin output; resolves with the exit code (never throws). */
export async function runCheck(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(checkUsage.trimEnd());
    return 3;
  }
  let result: CheckResult;
  try {
    const args = parseCheckArgs(argv);
    result = args.once ? await checkOnce(args) : await checkServer(args);
  } catch (err) {
    result = unknownResult((err as Error).message);
  }
  out(result.output);
  return result.code;
}

async function checkServer(a: CheckArgs): Promise<CheckResult> {
  const port = loadConfig(z.object({ HEARTBEAT_SERVER_PORT: env.port(8081) })).HEARTBEAT_SERVER_PORT;
  const base = (a.url ?? `http://127.0.0.1:${port}`).replace(/\/$/, '');
  const q = new URLSearchParams();
  if (a.node) q.set('node', a.node);
  let res: Response;
  try {
    res = await fetch(`${base}/v1/listeners${q.size ? `?${q}` : ''}`, { signal: AbortSignal.timeout(a.timeoutS * 1000) });
  } catch (err) {
    return unknownResult(`cannot reach heartbeat-server at ${base}: ${(err as Error).cause ? String(((err as Error).cause as Error).message ?? (err as Error).cause) : (err as Error).message}`);
  }
  if (!res.ok) return unknownResult(`heartbeat-server at ${base} answered HTTP ${res.status}`);
  const parsed = ListenersResponse.safeParse(await res.json().catch(() => null));
  if (!parsed.success) return unknownResult(`heartbeat-server at ${base} sent an unexpected body: ${parsed.error.issues[0]?.message}`);
  return evaluateCheck(parsed.data, a);
}

/** One round by itself (the seed's mode): any expected listener that does not answer is missing. */
async function checkOnce(a: CheckArgs): Promise<CheckResult> {
  const config = loadConfig(z.object({ ...xmppConfig, ...roundConfig }));
  const credentials = xmppCredentials(config, `check-${process.pid}`);
  const server = `${credentials.username}@${credentials.domain}`;
  const plan = planOf(config, credentials.domain);
  const nodes = a.node ? [a.node] : plan.nodes;
  const session = new XmppSession({ credentials, logger: createLogger({ service: 'heartbeat-check', level: 'silent' }), presence: false, keepaliveMs: 0 });
  session.start();
  try {
    await session.waitOnline(Math.min(a.timeoutS * 1000, 10_000)).catch(() => {
      throw new Error(`cannot log in to ${credentials.service} as ${server}`);
    });
    const pubsub = new PubsubClient(session, config.XMPP_PUBSUB_SERVICE ?? `pubsub.${credentials.domain}`);
    const detector = new Detector({ missingK: 1, windowN: 1, recoverAfter: 1 }, false);
    for (const node of nodes) detector.setExpected(node, [...(plan.expected[node] ?? []), ...(a.listener ? [a.listener] : [])]);
    // Each node waits its own timeout (the seed's per-node sections), never longer than -t.
    const cap = (ms: number) => Math.min(ms, a.timeoutS * 1000);
    const timeoutMs = cap(config.HEARTBEAT_TIMEOUT_MS);
    const perNode = Object.fromEntries(
      nodes.map((n) => [n, { intervalMs: cap(plan.perNode[n]?.timeoutMs ?? config.HEARTBEAT_TIMEOUT_MS) + 1, timeoutMs: cap(plan.perNode[n]?.timeoutMs ?? config.HEARTBEAT_TIMEOUT_MS), retryEveryMs: plan.perNode[n]?.retryEveryMs }]),
    );
    const transport = new XmppHeartbeatTransport(session, pubsub);
    const runner = new HeartbeatRunner({ server, nodes, intervalMs: timeoutMs + 1, timeoutMs, retryEveryMs: config.HEARTBEAT_RETRY_MS, perNode, collectUntilTimeout: true }, detector, transport, realClock);
    const detach = transport.attach(runner);
    // Seed-era listeners answer on the node: this one-off session must hear the node for the round.
    for (const node of nodes) {
      await pubsub.subscribe(node).catch((err: Error) => {
        throw new Error(`cannot subscribe to node ${node}: ${err.message}`);
      });
    }
    try {
      await Promise.all(nodes.map((node) => runner.runRound(node)));
    } finally {
      detach();
      await Promise.all(nodes.map((node) => pubsub.unsubscribe(node).catch(() => undefined)));
    }
    if (runner.blind.length) return unknownResult(`could not publish the request (${runner.blind.join(', ')})`);
    return evaluateCheck(listenersResponse(runner, detector, new Date()), a);
  } finally {
    await session.stop();
  }
}
