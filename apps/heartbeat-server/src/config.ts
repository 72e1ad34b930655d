import { z } from 'zod';
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
  HEARTBEAT_NODES          comma-separated pubsub nodes to watch (default watchkeeper.heartbeat)
  HEARTBEAT_EXPECTED       comma-separated expected listeners, name@host or node:name@host
  HEARTBEAT_INTERVAL_MS    round interval (default 10000)
  HEARTBEAT_TIMEOUT_MS     answer timeout per round (default 5000)
  HEARTBEAT_RETRY_MS       re-ask silent listeners this often within a round (default timeout/5; 0 = off)
  HEARTBEAT_MISSING_K, HEARTBEAT_WINDOW_N   missing after K misses in the last N rounds (default 2 of 3)
  HEARTBEAT_RECOVER_AFTER  ok again after this many answered rounds (default 2)
  HEARTBEAT_LATE_MS        an answer slower than this is "late" (default 2000)
  HEARTBEAT_EXTRA_TTL_MS   forget an unexpected listener silent this long (default 3600000)
  KAFKA_BROKERS            comma-separated host:port list (default 127.0.0.1:9092)
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

export const roundConfig = {
  HEARTBEAT_NODES: list('watchkeeper.heartbeat').pipe(z.array(z.string().regex(/^[^:,\s]+$/, 'node names have no ":" or spaces')).min(1)),
  HEARTBEAT_EXPECTED: list(''),
  HEARTBEAT_INTERVAL_MS: env.durationMs(10_000),
  HEARTBEAT_TIMEOUT_MS: env.durationMs(5_000),
  HEARTBEAT_RETRY_MS: z.coerce.number().int().nonnegative().optional(),
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
    MONGO_URL: env.mongoUrl(),
    MONGO_DB: env.mongoDb('watchkeeper_heartbeat'),
    LOG_LEVEL: env.logLevel(),
  })
  .refine((c) => c.HEARTBEAT_TIMEOUT_MS < c.HEARTBEAT_INTERVAL_MS, { message: 'HEARTBEAT_TIMEOUT_MS must be shorter than HEARTBEAT_INTERVAL_MS', path: ['HEARTBEAT_TIMEOUT_MS'] })
  .refine((c) => c.HEARTBEAT_MISSING_K <= c.HEARTBEAT_WINDOW_N, { message: 'HEARTBEAT_MISSING_K must not exceed HEARTBEAT_WINDOW_N', path: ['HEARTBEAT_MISSING_K'] });
export type Config = z.output<typeof configSchema>;

/** HEARTBEAT_EXPECTED entries → node → listener ids (an entry without "node:" belongs to the first node). */
export function expectedByNode(nodes: string[], entries: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.fromEntries(nodes.map((n) => [n, []]));
  for (const e of entries) {
    const i = e.indexOf(':');
    const node = i > 0 ? e.slice(0, i) : nodes[0];
    const id = i > 0 ? e.slice(i + 1) : e;
    (out[node] ??= []).push(id);
  }
  return out;
}
