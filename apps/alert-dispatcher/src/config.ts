import { z } from 'zod';
import { env } from '@watchkeeper/runtime';

export const usage = `watchkeeper-alert-dispatcher — routes alerts to recipients through per-recipient queues

Usage: watchkeeper-alert-dispatcher [--help]
       watchkeeper-alert-dispatcher replay-dead-letters [--recipient NAME] [--id ITEM_ID ...]
       watchkeeper-alert-dispatcher check-config [FILE]
       watchkeeper-alert-dispatcher migrate-history   (once after upgrading, dispatchers stopped: history of
                                                      earlier releases into per-day collections; idempotent)

Environment:
  ALERT_DISPATCHER_ROUTING_FILE  routing config, YAML or JSON (required; see config/routing.example.yaml).
                                 SIGHUP re-reads it; a bad file keeps the previous one.
  ALERT_DISPATCHER_PORT          HTTP port for the /v1 API, /healthz, /readyz, /metrics (default 8082)
  WATCHKEEPER_ADMIN_TOKEN        bearer token of the /v1 API (required, 16+ characters)
  KAFKA_BROKERS                  comma-separated host:port list (default 127.0.0.1:9092)
  WATCHKEEPER_TOPIC_PREFIX       prefix of every Kafka topic and consumer group name, e.g. "staging." (default empty)
  MONGO_URL                      default mongodb://127.0.0.1:27017
  ALERT_DISPATCHER_MONGO_DB      database (default watchkeeper_alerts)
  ALERT_DISPATCHER_GROUP_ID      Kafka consumer group (default watchkeeper-alert-dispatcher)
  ALERT_DISPATCHER_SETTLE_MS     how often delivered queue positions are written back, coalesced (default 250)
  ALERT_DISPATCHER_HISTORY_DAYS  history and delivery log retention (default 30)
  LOG_LEVEL                      fatal|error|warn|info|debug|trace (default info)
`;

export const configSchema = z.object({
  ALERT_DISPATCHER_PORT: env.port(8082),
  HTTP_HOST: env.host(),
  KAFKA_BROKERS: env.kafkaBrokers(),
  WATCHKEEPER_TOPIC_PREFIX: env.topicPrefix(),
  LOG_LEVEL: env.logLevel(),
  MONGO_URL: env.mongoUrl(),
  ALERT_DISPATCHER_MONGO_DB: env.mongoDb('watchkeeper_alerts'),
  ALERT_DISPATCHER_ROUTING_FILE: z.string().min(1, 'path of the routing config file'),
  ALERT_DISPATCHER_GROUP_ID: z.string().min(1).default('watchkeeper-alert-dispatcher'),
  ALERT_DISPATCHER_SETTLE_MS: env.durationMs(250),
  ALERT_DISPATCHER_HISTORY_DAYS: z.coerce.number().positive().default(30),
  WATCHKEEPER_ADMIN_TOKEN: env.adminToken(),
});
export type Config = z.output<typeof configSchema>;

/** What the replay and migrate-history commands need: only the database. */
export const replayConfigSchema = configSchema.pick({ MONGO_URL: true, ALERT_DISPATCHER_MONGO_DB: true, LOG_LEVEL: true });
