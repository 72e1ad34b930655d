import { consumerGroupId, topicPrefixFromEnv, topicPrefixProblem, withTopicPrefix } from './topic-prefix';
import { allTopics, Topics, topicsWithPrefix, unprefixedTopics } from './topics';
import { publishedContracts } from './json-schemas';

describe('topic prefix (WATCHKEEPER_TOPIC_PREFIX)', () => {
  it('accepts Kafka topic characters only, and the empty default', () => {
    for (const ok of ['', 'staging.', 'wktest-261207174311-a1b2c3.', 'team_a-', 'A.b_C-9']) expect(topicPrefixProblem(ok)).toBeUndefined();
    for (const bad of ['has space.', 'slash/', 'colon:', 'ümlaut.', '*', '.', '..', 'x'.repeat(201)]) expect(topicPrefixProblem(bad)).toEqual(expect.any(String));
  });

  it('reads the variable, empty when unset, and stops on a bad one naming the variable', () => {
    expect(topicPrefixFromEnv({})).toBe('');
    expect(topicPrefixFromEnv({ WATCHKEEPER_TOPIC_PREFIX: 'staging.' })).toBe('staging.');
    expect(() => topicPrefixFromEnv({ WATCHKEEPER_TOPIC_PREFIX: 'no spaces.' })).toThrow(/^WATCHKEEPER_TOPIC_PREFIX: only letters/);
  });

  it('puts the prefix before every topic name and keeps everything else of the registry', () => {
    const staged = topicsWithPrefix('staging.');
    expect(staged.alerts.name).toBe('staging.watchkeeper.alerts.v1');
    for (const [key, t] of Object.entries(unprefixedTopics)) {
      const s = staged[key as keyof typeof staged];
      expect(s.name).toBe(withTopicPrefix('staging.', t.name));
      expect({ ...s, name: t.name }).toEqual(t);
    }
    expect(topicsWithPrefix('')).toEqual(unprefixedTopics);
  });

  it('names consumer groups behind the same prefix', () => {
    expect(consumerGroupId('watchkeeper-alert-dispatcher', 'staging.')).toBe('staging.watchkeeper-alert-dispatcher');
    expect(consumerGroupId('g', '')).toBe('g');
  });

  it("this process's registry is the documented one behind its own prefix; published schemas keep the documented names", () => {
    const prefix = process.env.WATCHKEEPER_TOPIC_PREFIX ?? '';
    expect(Topics).toEqual(topicsWithPrefix(prefix));
    expect(allTopics.map((t) => t.name)).toEqual(Object.values(unprefixedTopics).map((t) => prefix + t.name));
    expect(Object.keys(publishedContracts())).toEqual(expect.arrayContaining(Object.values(unprefixedTopics).map((t) => t.name)));
    expect(consumerGroupId('g')).toBe(`${prefix}g`);
  });
});
