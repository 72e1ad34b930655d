/**
 * One installation's Kafka names behind a prefix: WATCHKEEPER_TOPIC_PREFIX goes before every topic
 * name and every consumer group id, so two installations (or `npm test` and a user's production) can
 * share one cluster without reading or writing each other's topics or joining each other's groups.
 *
 * The prefix is read here, once, when this module loads, rather than through each service's config:
 * topic names are constants used by every process (services, tools, tests), and they must not change
 * while a process runs. Each service's config schema validates and documents the same variable.
 */
export const TOPIC_PREFIX_VARIABLE = 'WATCHKEEPER_TOPIC_PREFIX';

/** Longest prefix: Kafka allows 249 characters per topic name, and the longest of ours is 32. */
export const TOPIC_PREFIX_MAX_LENGTH = 200;

/** Why `prefix` cannot be one, or undefined: Kafka's topic characters only (letters, digits, '.', '_', '-'). */
export function topicPrefixProblem(prefix: string): string | undefined {
  if (prefix.length > TOPIC_PREFIX_MAX_LENGTH) return `at most ${TOPIC_PREFIX_MAX_LENGTH} characters`;
  if (!/^[A-Za-z0-9._-]*$/.test(prefix)) return "only letters, digits, '.', '_' and '-' (Kafka's topic characters)";
  if (prefix === '.' || prefix === '..') return "'.' and '..' are not topic names";
  return undefined;
}

export function withTopicPrefix(prefix: string, name: string): string {
  return prefix + name;
}

/** This process's prefix; a bad one stops the process at start, naming the variable. */
export function topicPrefixFromEnv(env: Record<string, string | undefined> = typeof process === 'undefined' ? {} : process.env): string {
  const prefix = env[TOPIC_PREFIX_VARIABLE] ?? '';
  const problem = topicPrefixProblem(prefix);
  if (problem) throw new Error(`${TOPIC_PREFIX_VARIABLE}: ${problem} (got ${JSON.stringify(prefix)})`);
  return prefix;
}

/** This process's topic prefix (empty by default). */
export const topicPrefix = topicPrefixFromEnv();

/** A consumer group id as this process names it on the broker: behind the same prefix as its topics. */
export function consumerGroupId(groupId: string, prefix: string = topicPrefix): string {
  return prefix + groupId;
}
