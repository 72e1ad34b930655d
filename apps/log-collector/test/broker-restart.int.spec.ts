/**
 * A Kafka broker stopped and restarted mid-stream. Uses a second, private broker (its own port and
 * run directory, via tools/infra/kafka.sh) so the shared one on 9092 is never stopped.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { CollectorProcess, EventCollector, expectSameStats, LogWriter, MONGO_URL, oneShotCount, ROOT, sleep, uniq } from './support';

jest.setTimeout(240_000);
const execFileP = promisify(execFile);

// A private broker on its own ports (random in a range no server here uses by default: another
// checkout's run of this suite, or the shared servers, are no obstacle).
const PORT = 40000 + Math.floor(Math.random() * 10000) * 2;
const BROKERS = `127.0.0.1:${PORT}`;
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-lc-kafka-'));
const kafkaEnv = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_PORT: String(PORT), KAFKA_CONTROLLER_PORT: String(PORT + 1), WATCHKEEPER_RUN_DIR: runDir, WATCHKEEPER_MANAGED: 'kafka' };
  delete env.KAFKA_BROKERS; // a set KAFKA_BROKERS means "external cluster" to the script
  return env;
};
const broker = (cmd: 'start' | 'stop') => execFileP('bash', [path.join(ROOT, 'tools/infra/kafka.sh'), cmd], { env: kafkaEnv(), timeout: 180_000 });

const db = `wk_test_lc_broker_${Date.now().toString(36)}`;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-lc-int-'));
  await broker('start');
});
afterAll(async () => {
  await broker('stop').catch(() => undefined);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  const conn = await mongoose.createConnection(MONGO_URL).asPromise();
  await conn.useDb(db).dropDatabase().catch(() => undefined);
  await conn.close();
});

it('pauses while the broker is down, keeps memory bounded, and resumes without loss after its restart', async () => {
  const host = uniq('lc-broker');
  const file = path.join(dir, 'auth.log');
  const writer = new LogWriter(file, host, 3);
  const events = new EventCollector(host, BROKERS);
  await events.start();
  const collector = new CollectorProcess({ LOG_COLLECTOR_FILES: file, LOG_COLLECTOR_HOST: host, MONGO_URL, MONGO_DB: db, KAFKA_BROKERS: BROKERS, LOG_COLLECTOR_BATCH_BYTES: '32768' });
  try {
    writer.write(3000);
    collector.start();
    await expectSameStats(events, (await oneShotCount(writer.truth, host)).days, 60_000, collector);

    const sizeAtStop = fs.statSync(file).size;
    await broker('stop');
    writer.write(5000);
    let peakRss = 0;
    for (let i = 0; i < 12; i++) {
      await sleep(250);
      peakRss = Math.max(peakRss, collector.rssMb());
    }
    expect(collector.running).toBe(true); // it waits, it does not die
    expect(peakRss).toBeLessThan(150); // reading paused: nothing piles up in memory
    await broker('start');

    const reference = await oneShotCount(writer.truth, host);
    expect(fs.statSync(file).size).toBeGreaterThan(sizeAtStop);
    await expectSameStats(events, reference.days, 120_000, collector);
  } finally {
    await collector.kill('SIGTERM');
    await events.stop();
  }
});
