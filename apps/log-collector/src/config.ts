import { z } from 'zod';
import { env } from '@watchkeeper/runtime';

export const usage = `watchkeeper-log-collector — follows auth.log into sshd events on Kafka

Usage: watchkeeper-log-collector [--help]

Environment:
  LOG_COLLECTOR_PORT         HTTP port for /healthz, /readyz, /metrics (default 8083)
  KAFKA_BROKERS    comma-separated host:port list (default 127.0.0.1:9092)
  LOG_LEVEL        fatal|error|warn|info|debug|trace (default info)
`;

export const configSchema = z.object({
  LOG_COLLECTOR_PORT: env.port(8083),
  HTTP_HOST: env.host(),
  KAFKA_BROKERS: env.kafkaBrokers(),
  LOG_LEVEL: env.logLevel(),
});
export type Config = z.output<typeof configSchema>;
