import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { topicPrefix } from '@watchkeeper/contracts';
import { createKafka, EventProducer } from '@watchkeeper/kafka';
import { createLogger } from '@watchkeeper/runtime';
import { fromRoot } from '../src/paths';

// `npm test` against a Kafka the user named (tools/test.sh → tools/test-external.sh): the run gets a
// topic prefix of its own, and its cleanup deletes exactly what is behind it and the run's groups.
// "External" is simulated with this suite's own broker (KAFKA_BROKERS: the test stack's, or the
// developer's private one), never anyone else's.
const exec = promisify(execFile);
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const logger = createLogger({ service: 'test-harness-prefix', level: 'warn' });
const kafka = createKafka({ brokers: brokers.split(','), clientId: 'test-harness-prefix', logger });
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Runs `script` after sourcing tools/test-external.sh, as tools/test.sh does, with the test stack's env. */
async function harness(script: string, env: Record<string, string>): Promise<string> {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', KAFKA_BROKERS: brokers, ...(process.env.MONGO_URL ? { MONGO_URL: process.env.MONGO_URL } : {}) };
  const { stdout } = await exec('bash', ['-c', `set -euo pipefail; . tools/test-external.sh; ${script}`], { cwd: fromRoot(), env: { ...base, ...env }, timeout: 120_000 });
  return stdout;
}

async function produceAndCommit(topic: string, groupId: string): Promise<void> {
  const producer = new EventProducer(kafka, 'test-harness-prefix');
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value: 'v' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer.run({ autoCommitThreshold: 1, eachMessage: async () => resolve() }).catch(reject);
  });
  await consumer.disconnect(); // commits what was consumed
}

describe('npm test on a Kafka the user named', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-harness-prefix-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names the run behind its own prefix when Kafka is external, and not when it is the test stack', async () => {
    const external = await harness(`wk_test_external_begin ${dir}/a.json; echo "$WATCHKEEPER_TOPIC_PREFIX $WK_TEST_EXTERNAL"`, { WATCHKEEPER_MANAGED: 'mongo prosody' });
    expect(external.trim()).toMatch(/^wktest-\d{12}-[0-9a-f]{6}\. 1$/);
    // A prefix the user set for their own installation is not the run's.
    const overridden = await harness(`wk_test_external_begin ${dir}/b.json; echo "$WATCHKEEPER_TOPIC_PREFIX"`, { WATCHKEEPER_MANAGED: 'mongo prosody', WATCHKEEPER_TOPIC_PREFIX: 'prod.' });
    expect(overridden.trim()).toMatch(/^wktest-/);
    const own = await harness(`wk_test_external_begin ${dir}/c.json; echo "[\${WATCHKEEPER_TOPIC_PREFIX:-}] $WK_TEST_EXTERNAL"`, { WATCHKEEPER_MANAGED: 'kafka mongo prosody' });
    expect(own.trim()).toBe('[] 0');
  });

  it('its cleanup deletes exactly the topics behind the prefix and the groups of the run', async () => {
    const file = `${dir}/run.json`;
    const prefix = (await harness(`wk_test_external_begin ${file} >/dev/null; echo "$WATCHKEEPER_TOPIC_PREFIX"`, { WATCHKEEPER_MANAGED: 'mongo prosody' })).trim();
    // What the suites of that run make: topics behind its prefix, a service's group (prefixed by the
    // ConsumerRunner) and a test reader's group (not prefixed, offsets only on the run's topics)…
    const runTopic = `${prefix}watchkeeper.alerts.v1`;
    const runGroups = [`${prefix}watchkeeper-alert-dispatcher`, uniq('wk-test-reader')];
    // …and what someone else makes on the shared cluster meanwhile (behind this suite's own prefix
    // when it runs under one, so nothing here lands beside a user's topics).
    const otherTopic = `${topicPrefix}${uniq('wk-test-not-the-run')}`;
    const otherGroup = `${topicPrefix}${uniq('wk-test-not-the-run')}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [runTopic, otherTopic].map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) });
      for (const g of runGroups) await produceAndCommit(runTopic, g);
      await produceAndCommit(otherTopic, otherGroup);

      // The end of that run, as tools/test.sh calls it (its prefix still exported).
      await harness(`WK_TEST_EXTERNAL=1; wk_test_external_end ${file}`, { WATCHKEEPER_MANAGED: 'mongo prosody', WATCHKEEPER_TOPIC_PREFIX: prefix });

      const topics = await admin.listTopics();
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
      expect(topics.filter((t) => t.startsWith(prefix))).toEqual([]);
      expect(groups.filter((g) => runGroups.includes(g))).toEqual([]);
      expect(topics).toContain(otherTopic);
      expect(groups).toContain(otherGroup);
    } finally {
      await admin.deleteGroups([otherGroup]).catch(() => undefined);
      const left = (await admin.listTopics()).filter((t) => t === otherTopic || t === runTopic);
      await admin.deleteTopics({ topics: left }).catch(() => undefined);
      await admin.disconnect();
    }
  }, 120_000);
});
