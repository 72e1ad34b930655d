import { z } from 'zod';
import { env } from '@watchkeeper/runtime';

export const usage = `watchkeeper-receiver — the fleet's HTTP ingress and query API

Usage: watchkeeper-receiver [--help]

Environment:
  RECEIVER_PORT         HTTP port for /healthz, /readyz, /metrics (default 8080)
  KAFKA_BROKERS    comma-separated host:port list (default 127.0.0.1:9092)
  LOG_LEVEL        fatal|error|warn|info|debug|trace (default info)
`;

export const configSchema = z.object({
  RECEIVER_PORT: env.port(8080),
  HTTP_HOST: env.host(),
  KAFKA_BROKERS: env.kafkaBrokers(),
  LOG_LEVEL: env.logLevel(),
});
export type Config = z.output<typeof configSchema>;
