/**
 * The collector's journald source against the real journalctl reading real journal files (written by
 * Debian's systemd-journal-remote), real Kafka and the MongoDB-wire server: entries appended while it
 * follows, a graceful restart (the saved cursor: nothing sent twice) and SIGKILLs with entries written
 * while it is down. Afterwards the events on Kafka, deduplicated by id, give exactly the statistics of
 * a one-shot `count` of the same lines as text.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose from 'mongoose';
import { ensureJournalRemote, JournalWriter } from './journal-support';
import { CollectorProcess, EventCollector, expectSameStats, KAFKA_BROKERS, MONGO_URL, oneShotCount, sleep, uniq } from './support';

jest.setTimeout(150_000);

let dir: string;
const db = `wk_test_lc_journal_${Date.now().toString(36)}`;
beforeAll(() => ensureJournalRemote());
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-lc-journal-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
afterAll(async () => {
  const conn = await mongoose.createConnection(MONGO_URL).asPromise();
  await conn.useDb(db).dropDatabase().catch(() => undefined);
  await conn.close();
});

it('follows the journal from its cursor: appends, a new journal file, restarts and SIGKILLs lose and double nothing', async () => {
  const host = uniq('lc-jhost');
  const writer = new JournalWriter(dir, host, 7);
  // LOG_COLLECTOR_FILES unset and a journald source: the source type is the host's choice.
  const collector = new CollectorProcess({ LOG_COLLECTOR_SOURCE: 'journald', LOG_COLLECTOR_JOURNAL_DIRECTORY: dir, LOG_COLLECTOR_HOST: host, MONGO_URL, MONGO_DB: db, KAFKA_BROKERS });
  const events = new EventCollector(host);
  const caughtUp = async () => expectSameStats(events, (await oneShotCount(writer.truth, host)).days, 60_000, collector);
  await events.start();
  writer.write(1500); // there before the first start: read from the beginning (no cursor yet)
  collector.start();
  try {
    await caughtUp();
    writer.write(1000); // appended to the same journal file while it follows
    writer.write(500, 'other.journal'); // a new file in the directory
    await caughtUp();
    // Graceful restart: the cursor was saved after the last acknowledged batch, so nothing comes twice.
    await collector.kill('SIGTERM');
    writer.write(400);
    collector.start();
    await caughtUp();
    expect(events.duplicates).toBe(0);
    // SIGKILLs while entries arrive, and entries written while nobody reads.
    let seed = 11;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let round = 0; round < 2; round++) {
      const until = Date.now() + 1000 + random() * 1500;
      while (Date.now() < until) {
        writer.write(50 + Math.floor(random() * 200));
        await sleep(random() * 150);
      }
      await collector.kill('SIGKILL');
      writer.write(300);
      collector.start();
    }
    const reference = await oneShotCount(writer.truth, host);
    expect(reference.unrecognized).toBe(0);
    await expectSameStats(events, reference.days, 90_000, collector);
    // Every sshd line that is an event arrived (deduplicated by cursor id); other programs' entries were filtered out by journalctl.
    expect(events.events.size).toBeGreaterThan(reference.sshd * 0.8);
    expect([...events.events.keys()].every((id) => id.startsWith(`${host}:journal:s=`) || id.startsWith('sha256:'))).toBe(true);
  } finally {
    await collector.kill('SIGTERM');
    await events.stop();
  }
});
