import type { z } from 'zod';
import { AlertEvent, alertFingerprint } from './messages/alert-event';
import { DeadLetter } from './messages/dead-letter';
import { HeartbeatStatus } from './messages/heartbeat-status';
import { HostHealthSnapshot } from './messages/host-health';
import { NotificationOutcome } from './messages/notification-outcome';
import { SshAttempt } from './messages/ssh-attempt';
import { SshEvent } from './messages/ssh-event';
import { topicPrefix, withTopicPrefix } from './topic-prefix';

/**
 * One Kafka topic: its versioned name, the contract of its values, the CloudEvents type, and the key.
 * The key decides the partition, so it is always the entity whose events must stay in order.
 */
export interface TopicDef<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly ceType: string;
  readonly partitions: number;
  readonly key: (value: z.output<S>) => string;
  /** Why this key: what stays in order. */
  readonly keyDoc: string;
  readonly description: string;
}

function topic<S extends z.ZodType>(def: TopicDef<S>): TopicDef<S> {
  return def;
}

/** The registry under its documented names, without any prefix (docs, JSON Schemas, outside tools). */
export const unprefixedTopics = {
  sshEvents: topic({
    name: 'watchkeeper.ssh-events.v1',
    schema: SshEvent,
    ceType: 'org.watchkeeper.ssh-event.v1',
    partitions: 6,
    key: (e) => e.host,
    keyDoc: 'host — one host\'s log lines stay in file order',
    description: 'sshd events parsed from auth.log / journald by the log-collector',
  }),
  sshAttempts: topic({
    name: 'watchkeeper.ssh-attempts.v1',
    schema: SshAttempt,
    ceType: 'org.watchkeeper.ssh-attempt.v1',
    partitions: 6,
    key: (a) => a.sourceIp,
    keyDoc: 'source address — one address\'s attempts against every host meet on one partition, counted together',
    description: 'failed SSH login attempts re-keyed by source address, for brute-force detection',
  }),
  heartbeatStatus: topic({
    name: 'watchkeeper.heartbeat-status.v1',
    schema: HeartbeatStatus,
    ceType: 'org.watchkeeper.heartbeat-status.v1',
    partitions: 3,
    key: (s) => s.listenerId,
    keyDoc: 'listenerId — one listener\'s verdicts stay in round order',
    description: 'per-listener verdict after every heartbeat round',
  }),
  hostHealth: topic({
    name: 'watchkeeper.host-health.v1',
    schema: HostHealthSnapshot,
    ceType: 'org.watchkeeper.host-health.v1',
    partitions: 3,
    key: (s) => s.host,
    keyDoc: 'host — a host\'s snapshots stay in arrival order (compaction keeps the latest)',
    description: 'host self-check snapshots as stored by the receiver',
  }),
  alerts: topic({
    name: 'watchkeeper.alerts.v1',
    schema: AlertEvent,
    ceType: 'org.watchkeeper.alert.v1',
    partitions: 6,
    key: (a) => alertFingerprint(a),
    keyDoc: 'alert fingerprint (type + entity + labels) — a trigger and its release stay in order',
    description: 'alert events (store / trigger / release) from every service and outside producers',
  }),
  notifications: topic({
    name: 'watchkeeper.notifications.v1',
    schema: NotificationOutcome,
    ceType: 'org.watchkeeper.notification-outcome.v1',
    partitions: 3,
    key: (n) => n.recipient,
    keyDoc: 'recipient — one recipient\'s outcomes stay in delivery order',
    description: 'outcome of every notification attempt (delivered, retried, dropped, dead-lettered, silenced)',
  }),
  deadLetter: topic({
    name: 'watchkeeper.dead-letter.v1',
    schema: DeadLetter,
    ceType: 'org.watchkeeper.dead-letter.v1',
    partitions: 1,
    key: (d) => d.originalTopic,
    keyDoc: 'original topic — dead letters of one topic stay in failure order',
    description: 'messages a consumer rejected, with the reason and the original bytes',
  }),
} as const;

type Registry = typeof unprefixedTopics;

/** The registry with every name behind `prefix` (pure: for tests and tools that name another installation's topics). */
export function topicsWithPrefix(prefix: string): Registry {
  return Object.fromEntries(Object.entries(unprefixedTopics).map(([k, t]) => [k, { ...t, name: withTopicPrefix(prefix, t.name) }])) as unknown as Registry;
}

/**
 * The topics as this process names them on the broker: WATCHKEEPER_TOPIC_PREFIX before every
 * documented name (empty by default). Fixed for the life of the process, so every produce,
 * subscription, topic creation, lag reading and comparison of a received topic uses the same names.
 */
export const Topics: Registry = topicsWithPrefix(topicPrefix);

export type TopicKey = keyof typeof Topics;
export const allTopics: TopicDef[] = Object.values(Topics) as TopicDef[];

export function topicByName(name: string): TopicDef | undefined {
  return allTopics.find((t) => t.name === name);
}
