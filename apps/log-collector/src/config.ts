import { z } from 'zod';
import { env } from '@watchkeeper/runtime';

export const usage = `watchkeeper-log-collector — follows auth.log into sshd events on Kafka

Usage:
  watchkeeper-log-collector                 run the collector (configured by the environment below)
  watchkeeper-log-collector count --file <path|-> [--year Y] [--tz Z] [--host H] [--json]
      per-host, per-day SSH statistics of one log (plain or .gz; "-" = stdin):
      {"lines","sshd","unrecognized","days":[{"host","date","sessions","accepted","failed","invalidUser","sources"}]}
  watchkeeper-log-collector parse --file <path|-> [--year Y] [--tz Z] [--host H]
      one JSON sshd event per line, with the ids the collector would send
  watchkeeper-log-collector --help

  --year Y   year of the first "Mar 29 17:37:18" style stamp (default: inferred, never > 1 day ahead)
  --tz Z     IANA time zone of stamps without offset and of the statistics' days (default: the machine's)
  --host H   host for lines that name none (default: this machine's name)

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
