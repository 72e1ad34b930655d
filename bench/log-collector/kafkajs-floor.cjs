#!/usr/bin/env node
// The floor for file → Kafka: kafkajs alone sending N messages shaped like the collector's (one
// ≈ 500-byte SshEvent JSON, key = host, the six CloudEvents headers), 256 KiB-sized batches split
// into produce requests of 250, acks=all — no reading, no parsing, no validation.
// Usage: kafkajs-floor.cjs <brokers> <messages>; prints one JSON line {seconds, cpuSeconds, rssMb}.
const { Kafka, logLevel, Partitioners } = require('kafkajs');

const [brokers, nArg] = process.argv.slice(2);
const N = Number(nArg);
const TOPIC = 'watchkeeper.bench.kafkajs-floor';
(async () => {
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'bench-kafkajs-floor', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 6 }] }).catch(() => undefined);
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const event = (i) => JSON.stringify({ host: 'bench', time: '2024-03-01T00:00:00.000Z', timeText: 'Mar  1 00:00:00', kind: 'failed', program: 'sshd', pid: 12345, user: 'root', sourceIp: '203.0.113.77', port: 42424, method: 'password', count: 1, id: `bench:2049:1234567:0123456789abcdef@${i}`, origin: { path: '/work/main/bench/.work/log-collector/auth-1000000.log', fileId: '2049:1234567:0123456789abcdef', offset: i } });
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let rss = 0;
  const batch = 1900; // ≈ the events of one 256 KiB batch
  for (let done = 0; done < N; done += batch) {
    const messages = [];
    for (let i = done; i < Math.min(N, done + batch); i++) {
      messages.push({ key: 'bench', value: event(i), headers: { ce_specversion: '1.0', ce_id: `bench:2049:1234567:0123456789abcdef@${i}`, ce_source: 'watchkeeper/log-collector/bench', ce_type: 'org.watchkeeper.ssh-event.v1', ce_time: '2024-03-01T00:00:00.000Z', 'content-type': 'application/json' } });
    }
    const requests = [];
    for (let i = 0; i < messages.length; i += 250) requests.push(producer.send({ topic: TOPIC, acks: -1, messages: messages.slice(i, i + 250) }));
    await Promise.all(requests);
    rss = Math.max(rss, process.memoryUsage().rss);
  }
  const cpu = process.cpuUsage(cpu0);
  await producer.disconnect();
  console.log(JSON.stringify({ seconds: (Date.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, rssMb: rss / 1048576 }));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
