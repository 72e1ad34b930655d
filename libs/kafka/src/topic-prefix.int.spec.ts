import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { consumerGroupId, Topics, topicPrefix, topicsWithPrefix } from '@watchkeeper/contracts';
import { createLogger } from '@watchkeeper/runtime';
import { createKafka, ensureTopics } from './index';
import { brokers, uniq } from '../test/helpers';

// WATCHKEEPER_TOPIC_PREFIX on the real broker: a process started with a prefix (as a service is) creates,
// produces, consumes, dead-letters and reads its lag only on the prefixed topics and group, and the
// topics as this process names them (the production names when the suite runs without a prefix)
// receive nothing.
const run = promisify(execFile);
const logger = createLogger({ service: 'kafka-prefix-test', level: 'warn' });
const kafka = createKafka({ brokers, clientId: 'kafka-prefix-test', logger });

async function ends(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('WATCHKEEPER_TOPIC_PREFIX on a real broker', () => {
  const childPrefix = `${topicPrefix}${uniq('wk-prefix-test')}.`;
  const child = topicsWithPrefix(childPrefix);
  const group = uniq('wk-test-prefixed-group');

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([childPrefix + group]).catch(() => undefined);
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(childPrefix)) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('a service with a prefix writes, reads and groups only behind it; the unprefixed topics get no message', async () => {
    // The unprefixed topics exist (as on a user's production cluster), so their ends can be compared.
    await ensureTopics(kafka, [Topics.alerts, Topics.deadLetter]);
    const before = { alerts: await ends(Topics.alerts.name), deadLetter: await ends(Topics.deadLetter.name) };
    const ids = ['p1', 'p2', 'p3'].map((i) => uniq(i));

    const { stdout } = await run(process.execPath, [path.join(__dirname, '../test/fixtures/prefixed-pipeline.cjs')], {
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), WATCHKEEPER_TOPIC_PREFIX: childPrefix, GROUP: group, ALERT_IDS: ids.join(',') },
      timeout: 120_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').pop()!);

    expect(out).toMatchObject({ prefix: childPrefix, alertsTopic: child.alerts.name, deadLetterTopic: child.deadLetter.name, groupId: consumerGroupId(group, childPrefix), lagTopic: child.alerts.name });
    expect(out.alertsTopic).toBe(`${childPrefix}watchkeeper.alerts.v1`);
    expect([...out.received].sort()).toEqual([...ids].sort());
    expect(out.topics).toEqual([child.alerts.name]);
    // Behind the prefix: three alerts and one poison message, and its dead letter.
    expect(await ends(child.alerts.name)).toBe(4);
    expect(await ends(child.deadLetter.name)).toBe(1);
    // Nothing on the topics without it.
    expect({ alerts: await ends(Topics.alerts.name), deadLetter: await ends(Topics.deadLetter.name) }).toEqual(before);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
      expect(groups).toContain(childPrefix + group);
      expect(groups).not.toContain(group);
      const [committed] = await admin.fetchOffsets({ groupId: childPrefix + group, topics: [child.alerts.name] });
      expect(committed!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0)).toBe(4);
    } finally {
      await admin.disconnect();
    }
  }, 150_000);
});
