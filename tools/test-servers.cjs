// What a Kafka broker and a MongoDB-wire server hold, for the checks of tools/test.sh
// (test-cleanup.cjs, npm-start-state.cjs). Plain kafkajs and mongodb: no build needed.
const { Kafka, logLevel } = require('kafkajs');
const { MongoClient } = require('mongodb');

/** The production topic names (libs/contracts/src/topics.ts), read from the source so no build is needed. */
const productionTopics = [
  ...require('node:fs')
    .readFileSync(require('node:path').join(__dirname, '../libs/contracts/src/topics.ts'), 'utf8')
    .matchAll(/name: '(watchkeeper\.[a-z-]+\.v\d+)'/g),
].map((m) => m[1]);

async function mongoClient(url) {
  return new MongoClient(url, { serverSelectionTimeoutMS: 10_000 }).connect();
}

async function kafkaAdmin(brokers) {
  const kafka = new Kafka({ clientId: 'watchkeeper-test-check', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  await admin.connect();
  return admin;
}

/** Database, topic and group names, and the number of messages per topic (end − start offsets). */
async function inventory(env, { messages = false } = {}) {
  const out = { databases: [], topics: [], groups: [], messages: {} };
  if (env.MONGO_URL) {
    const client = await mongoClient(env.MONGO_URL);
    try {
      out.databases = (await client.db('admin').admin().listDatabases({ nameOnly: true })).databases.map((d) => d.name);
    } finally {
      await client.close();
    }
  }
  if (env.KAFKA_BROKERS) {
    const admin = await kafkaAdmin(env.KAFKA_BROKERS);
    try {
      out.topics = await admin.listTopics();
      out.groups = (await admin.listGroups()).groups.map((g) => g.groupId);
      if (messages) {
        for (const t of out.topics.filter((n) => !n.startsWith('__'))) {
          const offs = await admin.fetchTopicOffsets(t);
          out.messages[t] = offs.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }
  return out;
}

module.exports = { inventory, mongoClient, kafkaAdmin, productionTopics };
