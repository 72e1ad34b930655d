import { z } from 'zod';
import { env } from '@watchkeeper/runtime';

export const usage = `watchkeeper-heartbeat-server — publishes heartbeat requests over XMPP pubsub and finds wedged listeners

Usage: watchkeeper-heartbeat-server [--help]

Environment:
  HEARTBEAT_SERVER_PORT         HTTP port for /healthz, /readyz, /metrics (default 8081)
  KAFKA_BROKERS    comma-separated host:port list (default 127.0.0.1:9092)
  LOG_LEVEL        fatal|error|warn|info|debug|trace (default info)
`;

export const configSchema = z.object({
  HEARTBEAT_SERVER_PORT: env.port(8081),
  HTTP_HOST: env.host(),
  KAFKA_BROKERS: env.kafkaBrokers(),
  LOG_LEVEL: env.logLevel(),
});
export type Config = z.output<typeof configSchema>;
