#!/usr/bin/env node
// `npm test` against servers the user named (KAFKA_BROKERS, MONGO_URL): they are shared, so the run
// notes what is there before (`before FILE`) and deletes what it added (`after FILE`): the databases
// the suites made (wk_*), the topics other than the production ones, and the consumer groups other
// than the production ones. The test stack of tools/infra/test-stack.sh needs none of this: its data
// folder goes as a whole.
const fs = require('node:fs');
const path = require('node:path');
const { inventory, mongoClient, kafkaAdmin, productionTopics } = require('./test-servers.cjs');

async function main() {
  const [cmd, file] = process.argv.slice(2);
  if (!['before', 'after'].includes(cmd) || !file) throw new Error('usage: test-cleanup.cjs before|after FILE');
  const now = await inventory(process.env);
  if (cmd === 'before') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(now));
    return;
  }
  const before = JSON.parse(fs.readFileSync(file, 'utf8'));
  const added = (k) => now[k].filter((n) => !before[k].includes(n));
  const dbs = added('databases').filter((n) => n.startsWith('wk_'));
  const topics = added('topics').filter((n) => !productionTopics.includes(n) && !n.startsWith('__'));
  const groups = added('groups').filter((n) => !n.startsWith('watchkeeper'));
  if (dbs.length && process.env.MONGO_URL) {
    const client = await mongoClient(process.env.MONGO_URL);
    try {
      for (const db of dbs) await client.db(db).dropDatabase();
    } finally {
      await client.close();
    }
  }
  if ((topics.length || groups.length) && process.env.KAFKA_BROKERS) {
    const admin = await kafkaAdmin(process.env.KAFKA_BROKERS);
    try {
      if (groups.length) await admin.deleteGroups(groups).catch((e) => console.error(`[test-cleanup] groups: ${e.message}`));
      if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    } finally {
      await admin.disconnect();
    }
  }
  console.error(`[test-cleanup] deleted ${dbs.length} database(s), ${topics.length} topic(s), ${groups.length} consumer group(s) the run created`);
}

main().catch((err) => {
  console.error(`[test-cleanup] ${err.message}`);
  process.exit(1);
});
