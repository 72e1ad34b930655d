import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PublishModel } from '@watchkeeper/contracts';
import { nodePlan, parseNodeConfig, type NodePlan } from '@watchkeeper/heartbeat';
import { env } from '@watchkeeper/runtime';

export const usage = `watchkeeper-heartbeat-server — publishes heartbeat requests over XMPP pubsub and finds wedged listeners

Usage:
  watchkeeper-heartbeat-server                 run the monitor (until SIGTERM)
  watchkeeper-heartbeat-server check [options] Nagios plugin (see: check --help)

Environment:
  HEARTBEAT_SERVER_PORT    HTTP port: /v1/listeners, /healthz, /readyz, /metrics (default 8081)
  XMPP_SERVICE             xmpp://host:port of the XMPP server (default xmpp://127.0.0.1:5222)
  XMPP_DOMAIN              XMPP domain (default: the service host)
  XMPP_USERNAME, XMPP_PASSWORD  the server's own account; when unset, the ~/.netrc (or $NETRC) entry
                           for the XMPP domain is used, as LVAlert does
  XMPP_RESOURCE            resource of the server's session (default heartbeat-server)
  XMPP_PUBSUB_SERVICE      pubsub service (default pubsub.<domain>)
  XMPP_RECONNECT_MAX_MS    longest pause between reconnect attempts (default 10000; keep it below
                           one detection window so listeners are back before the grace ends)
  HEARTBEAT_NODES          comma-separated pubsub nodes to watch (default watchkeeper.heartbeat, or
                           only the nodes of HEARTBEAT_NODE_CONFIG[_FILE] when that is set)
  HEARTBEAT_EXPECTED       comma-separated expected listeners, name@host or node:name@host
  HEARTBEAT_INTERVAL_MS    round interval (default 10000)
  HEARTBEAT_TIMEOUT_MS     answer timeout per round (default 5000)
  HEARTBEAT_RETRY_MS       re-ask silent listeners this often within a round (default timeout/5; 0 = off)
  HEARTBEAT_NODE_CONFIG    per-node settings as JSON: {"<node>": {"intervalMs", "timeoutMs", "retryMs",
                           "lateMs", "expected": ["name@host"], "publishModel"}}; unset keys take the
                           defaults above (libs/contracts HeartbeatNodeConfig)
  HEARTBEAT_NODE_CONFIG_FILE  the same in a file: JSON, or the seed's INI ([node] sections with
                           timeout/interval in seconds, responses = "name user hostname" lines)
  HEARTBEAT_PUBLISH_MODEL  publishers|subscribers|open: set on every node the server watches (a node's
                           publishModel wins); open (or subscribers) lets seed-era listeners publish
                           their answers. Unset: nodes keep their own (Prosody: publishers).
  HEARTBEAT_MISSING_K, HEARTBEAT_WINDOW_N   missing after K misses in the last N rounds (default 2 of 3)
  HEARTBEAT_RECOVER_AFTER  ok again after this many answered rounds (default 2)
  HEARTBEAT_LATE_MS        an answer slower than this is "late" (default 2000)
  HEARTBEAT_EXTRA_TTL_MS   forget an unexpected listener silent this long (default 3600000)
  KAFKA_BROKERS            comma-separated host:port list (default 127.0.0.1:9092)
  WATCHKEEPER_TOPIC_PREFIX  prefix of every Kafka topic and consumer group name, e.g. "staging." (default empty)
  MONGO_URL, MONGO_DB      last-seen store (default mongodb://127.0.0.1:27017, watchkeeper_heartbeat)
  LOG_LEVEL                fatal|error|warn|info|debug|trace (default info)
`;

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

export const xmppConfig = {
  XMPP_SERVICE: z.string().regex(/^xmpps?:\/\//, 'must start with xmpp:// or xmpps://').default('xmpp://127.0.0.1:5222'),
  XMPP_DOMAIN: z.string().optional(),
  XMPP_USERNAME: z.string().optional(),
  XMPP_PASSWORD: z.string().optional(),
  XMPP_RESOURCE: z.string().default('heartbeat-server'),
  XMPP_PUBSUB_SERVICE: z.string().optional(),
  XMPP_RECONNECT_MAX_MS: env.durationMs(10_000),
  NETRC: z.string().optional(),
};

export const DEFAULT_NODE = 'watchkeeper.heartbeat';

export const roundConfig = {
  // Optional: when unset and a per-node config names nodes, those are the nodes (see nodesOf).
  HEARTBEAT_NODES: z
    .string()
    .optional()
    .transform((s) => (s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean)))
    .pipe(z.array(z.string().regex(/^[^:,\s]+$/, 'node names have no ":" or spaces')).min(1).optional())
    .describe(`comma-separated pubsub nodes to watch; unset: ${DEFAULT_NODE}, or only the nodes of HEARTBEAT_NODE_CONFIG[_FILE] when that names any`),
  HEARTBEAT_EXPECTED: list(''),
  HEARTBEAT_INTERVAL_MS: env.durationMs(10_000),
  HEARTBEAT_TIMEOUT_MS: env.durationMs(5_000),
  HEARTBEAT_RETRY_MS: z.coerce.number().int().nonnegative().optional(),
  HEARTBEAT_NODE_CONFIG: z.string().optional(),
  HEARTBEAT_NODE_CONFIG_FILE: z.string().optional(),
  HEARTBEAT_PUBLISH_MODEL: PublishModel.optional(),
};

export const configSchema = z
  .object({
    HEARTBEAT_SERVER_PORT: env.port(8081),
    HTTP_HOST: env.host(),
    ...xmppConfig,
    ...roundConfig,
    HEARTBEAT_MISSING_K: z.coerce.number().int().positive().default(2),
    HEARTBEAT_WINDOW_N: z.coerce.number().int().positive().default(3),
    HEARTBEAT_RECOVER_AFTER: z.coerce.number().int().positive().default(2),
    HEARTBEAT_LATE_MS: env.durationMs(2000),
    HEARTBEAT_EXTRA_TTL_MS: env.durationMs(3_600_000),
    KAFKA_BROKERS: env.kafkaBrokers(),
    WATCHKEEPER_TOPIC_PREFIX: env.topicPrefix(),
    MONGO_URL: env.mongoUrl(),
    MONGO_DB: env.mongoDb('watchkeeper_heartbeat'),
    LOG_LEVEL: env.logLevel(),
  })
  .refine((c) => c.HEARTBEAT_TIMEOUT_MS < c.HEARTBEAT_INTERVAL_MS, { message: 'HEARTBEAT_TIMEOUT_MS must be shorter than HEARTBEAT_INTERVAL_MS', path: ['HEARTBEAT_TIMEOUT_MS'] })
  .refine((c) => c.HEARTBEAT_MISSING_K <= c.HEARTBEAT_WINDOW_N, { message: 'HEARTBEAT_MISSING_K must not exceed HEARTBEAT_WINDOW_N', path: ['HEARTBEAT_MISSING_K'] })
  .superRefine((c, ctx) => {
    // The per-node config is validated with the rest, so a bad file stops the start with its reason.
    try {
      planOf(c);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message, path: [c.HEARTBEAT_NODE_CONFIG_FILE ? 'HEARTBEAT_NODE_CONFIG_FILE' : 'HEARTBEAT_NODE_CONFIG'] });
    }
  });
export type Config = z.output<typeof configSchema>;

type RoundConfig = Pick<Config, keyof typeof roundConfig>;

/**
 * Nodes, expected listeners, per-node timing and publish models from the single-node variables and
 * the per-node config (HEARTBEAT_NODE_CONFIG inline, HEARTBEAT_NODE_CONFIG_FILE a file; both merge).
 * `domain` (the server's XMPP domain) is checked against a node's `server` when known.
 */
export function planOf(c: RoundConfig, domain?: string): NodePlan {
  const config = {
    ...(c.HEARTBEAT_NODE_CONFIG_FILE ? parseNodeConfig(readConfigFile(c.HEARTBEAT_NODE_CONFIG_FILE), c.HEARTBEAT_NODE_CONFIG_FILE) : {}),
    ...(c.HEARTBEAT_NODE_CONFIG ? parseNodeConfig(c.HEARTBEAT_NODE_CONFIG, 'HEARTBEAT_NODE_CONFIG') : {}),
  };
  const plan = nodePlan({ envNodes: c.HEARTBEAT_NODES, envExpected: c.HEARTBEAT_EXPECTED, config, defaultNode: DEFAULT_NODE, defaultPublishModel: c.HEARTBEAT_PUBLISH_MODEL, domain });
  for (const node of plan.nodes) {
    const own = plan.perNode[node] ?? {};
    const interval = own.intervalMs ?? c.HEARTBEAT_INTERVAL_MS;
    const timeout = own.timeoutMs ?? c.HEARTBEAT_TIMEOUT_MS;
    if (timeout >= interval) throw new Error(`node ${node}: timeout ${timeout} ms must be shorter than its interval ${interval} ms`);
  }
  return plan;
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}
