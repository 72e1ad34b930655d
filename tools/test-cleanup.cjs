#!/usr/bin/env node
// `npm test` against servers the user named (KAFKA_BROKERS, MONGO_URL): they are shared, so the run
// notes what is there before (`before FILE`) and deletes what it added (`after FILE`): the databases
// the suites made (wk_*); on Kafka, where the run names everything behind its own prefix
// (WATCHKEEPER_TOPIC_PREFIX, set by tools/test-external.sh), exactly the topics behind that prefix
// and the consumer groups of the run (named behind it, or added during the run with offsets only on
// its topics). It also reports messages that reached the unprefixed (production) topics meanwhile:
// none should come from the run, but the user's own producers may write there, so it only warns.
// The test stack of tools/infra/test-stack.sh needs none of this: its data folder goes as a whole.
const fs = require('node:fs');
const path = require('node:path');
const { inventory, mongoClient, kafkaAdmin, productionTopics } = require('./test-servers.cjs');

/** High watermarks of the production topics that exist (sum over partitions). */
async function productionEnds(admin, topics) {
  const out = {};
  for (const t of topics.filter((n) => productionTopics.includes(n))) {
    out[t] = (await admin.fetchTopicOffsets(t)).reduce((n, p) => n + Number(p.high), 0);
  }
  return out;
}

/** The groups of the run: named behind its prefix, or new and with committed offsets only on its topics. */
async function runGroups(admin, prefix, added, all) {
  const out = all.filter((g) => g.startsWith(prefix));
  for (const g of added.filter((n) => !n.startsWith(prefix))) {
    const offsets = await admin.fetchOffsets({ groupId: g }).catch(() => []);
    const topics = offsets.filter((t) => t.partitions.some((p) => p.offset !== '-1')).map((t) => t.topic);
    if (topics.length && topics.every((t) => t.startsWith(prefix))) out.push(g);
  }
  return out;
}

async function main() {
  const [cmd, file] = process.argv.slice(2);
  if (!['before', 'after'].includes(cmd) || !file) throw new Error('usage: test-cleanup.cjs before|after FILE');
  const prefix = process.env.WATCHKEEPER_TOPIC_PREFIX ?? '';
  const now = await inventory(process.env);
  if (process.env.KAFKA_BROKERS) {
    const admin = await kafkaAdmin(process.env.KAFKA_BROKERS);
    try {
      now.productionEnds = await productionEnds(admin, now.topics);
    } finally {
      await admin.disconnect();
    }
  }
  if (cmd === 'before') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ ...now, prefix }));
    return;
  }
  const before = JSON.parse(fs.readFileSync(file, 'utf8'));
  const added = (k) => now[k].filter((n) => !before[k].includes(n));
  const dbs = added('databases').filter((n) => n.startsWith('wk_'));
  // Without a prefix (the run's Kafka is the test stack's own), nothing on Kafka is the run's alone.
  const topics = prefix ? now.topics.filter((n) => n.startsWith(prefix)) : [];
  let groups = [];
  if (dbs.length && process.env.MONGO_URL) {
    const client = await mongoClient(process.env.MONGO_URL);
    try {
      for (const db of dbs) await client.db(db).dropDatabase();
    } finally {
      await client.close();
    }
  }
  if (prefix && process.env.KAFKA_BROKERS) {
    const admin = await kafkaAdmin(process.env.KAFKA_BROKERS);
    try {
      groups = await runGroups(admin, prefix, added('groups'), now.groups);
      if (groups.length) await admin.deleteGroups(groups).catch((e) => console.error(`[test-cleanup] groups: ${e.message}`));
      if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    } finally {
      await admin.disconnect();
    }
    const grew = Object.entries(now.productionEnds ?? {}).filter(([t, n]) => n !== (before.productionEnds ?? {})[t]);
    if (grew.length) console.error(`[test-cleanup] warning: unprefixed topics changed during the run (the run writes only to ${prefix}*; your own producers?): ${grew.map(([t, n]) => `${t} ${(before.productionEnds ?? {})[t] ?? 'new'} → ${n}`).join(', ')}`);
  }
  console.error(`[test-cleanup] deleted ${dbs.length} database(s), ${topics.length} topic(s), ${groups.length} consumer group(s) the run created`);
}

main().catch((err) => {
  console.error(`[test-cleanup] ${err.message}`);
  process.exit(1);
});
