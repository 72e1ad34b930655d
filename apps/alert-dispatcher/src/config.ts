import { z } from 'zod';
import { env } from '@watchkeeper/runtime';

export const usage = `watchkeeper-alert-dispatcher — routes alerts to recipients through per-recipient queues

Usage: watchkeeper-alert-dispatcher [--help]

Environment:
  ALERT_DISPATCHER_PORT         HTTP port for /healthz, /readyz, /metrics (default 8082)
  KAFKA_BROKERS    comma-separated host:port list (default 127.0.0.1:9092)
  LOG_LEVEL        fatal|error|warn|info|debug|trace (default info)
`;

export const configSchema = z.object({
  ALERT_DISPATCHER_PORT: env.port(8082),
  HTTP_HOST: env.host(),
  KAFKA_BROKERS: env.kafkaBrokers(),
  LOG_LEVEL: env.logLevel(),
});
export type Config = z.output<typeof configSchema>;
