import { z } from 'zod';
import { env } from '@watchkeeper/runtime';

export const usage = `watchkeeper-heartbeat-client — a listener daemon that answers heartbeat requests

Keeps one XMPP session (reconnecting with backoff), subscribes to the heartbeat node(s) and answers every
request from its work queue with a direct message to the requesting server.

Usage: watchkeeper-heartbeat-client [--help]

Environment:
  HEARTBEAT_CLIENT_NAME    this listener's name; its id is name@host (default heartbeat-client)
  HEARTBEAT_CLIENT_HOST    host name to report (default: the machine's host name)
  HEARTBEAT_NODES          comma-separated pubsub nodes (default watchkeeper.heartbeat)
  HEARTBEAT_CLIENT_PORT    HTTP port for /healthz, /readyz, /metrics (default 8084; 0 = any free port)
  XMPP_SERVICE             xmpp://host:port (default xmpp://127.0.0.1:5222)
  XMPP_DOMAIN              XMPP domain (default: the service host)
  XMPP_USERNAME, XMPP_PASSWORD  this listener's own account; when unset, the ~/.netrc (or $NETRC)
                           entry for the XMPP domain
  XMPP_RESOURCE            session resource (default: the listener name — stable, so re-subscribing is idempotent)
  XMPP_PUBSUB_SERVICE      pubsub service (default pubsub.<domain>)
  XMPP_RECONNECT_MAX_MS    longest pause between reconnect attempts (default 10000; keep it below
                           one detection window so listeners are back before the grace ends)
  LOG_LEVEL                fatal|error|warn|info|debug|trace (default info)
`;

export const configSchema = z.object({
  HEARTBEAT_CLIENT_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"').default('heartbeat-client'),
  HEARTBEAT_CLIENT_HOST: z.string().optional(),
  HEARTBEAT_NODES: z
    .string()
    .default('watchkeeper.heartbeat')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string()).min(1)),
  HEARTBEAT_CLIENT_PORT: env.port(8084),
  HTTP_HOST: env.host(),
  XMPP_SERVICE: z.string().regex(/^xmpps?:\/\//, 'must start with xmpp:// or xmpps://').default('xmpp://127.0.0.1:5222'),
  XMPP_DOMAIN: z.string().optional(),
  XMPP_USERNAME: z.string().optional(),
  XMPP_PASSWORD: z.string().optional(),
  XMPP_RESOURCE: z.string().optional(),
  XMPP_PUBSUB_SERVICE: z.string().optional(),
  XMPP_RECONNECT_MAX_MS: env.durationMs(10_000),
  NETRC: z.string().optional(),
  LOG_LEVEL: env.logLevel(),
});
export type Config = z.output<typeof configSchema>;
