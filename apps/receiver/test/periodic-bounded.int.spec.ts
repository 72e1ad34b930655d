import mongoose, { type Connection } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { READ_COMMANDS, recordedCommands, type RecordedCommand } from '@watchkeeper/mongo/testing';
import { BruteForceDetector, IgnoreList } from '@watchkeeper/brute-force';
import type { SshAttempt } from '@watchkeeper/contracts';
import type { StatefulAlertDoc } from '@watchkeeper/dal/receiver';
import { FleetHealthMonitor, RequestLog } from '@watchkeeper/fleet-health';
import { EventProducer, type ConsumedEvent } from '@watchkeeper/kafka';
import { Outbox } from '@watchkeeper/outbox';
import { createLogger, loadConfig } from '@watchkeeper/runtime';
import { configSchema } from '../src/config';
import { migrateAlertState } from '../src/migrate-alert-state';
import { MONGO_URL, testKafka, uniq } from './support';

/**
 * The receiver's periodic jobs (fleet-health detectors, brute-force sweep) on the real MongoDB-wire
 * server, with 1× and then 10× the stored history: the commands each run sends are recorded with the
 * driver's command monitoring. FerretDB scans a whole collection for every read, update and delete,
 * even by `_id`, so a run costs the same only if every such command targets a collection whose size
 * does not grow with history (inserts are cheap and exempt). Deterministic: no timing.
 */
const MIN = 60_000;
const HISTORY_1X = 30;
describe('periodic jobs cost the same with 10× the stored history', () => {
  const logger = createLogger({ service: 'periodic-test', level: 'silent' });
  const dbName = `wk_test_periodic_${uniq('db').replace(/-/g, '_')}`;
  let conn: Connection;
  let outbox: Outbox;
  let requestLog: RequestLog;
  let fleet: FleetHealthMonitor;
  let bruteForce: BruteForceDetector;
  let clock = new Date('2026-06-01T00:00:00.000Z').getTime();
  const now = () => new Date(clock);
  let recording: RecordedCommand[] | undefined;
  let offset = 0;
  let historyRound = 0;

  beforeAll(async () => {
    conn = mongoose.createConnection(MONGO_URL, { dbName, autoIndex: false, monitorCommands: true });
    await conn.asPromise();
    conn.getClient().on('commandStarted', (ev: CommandStartedEvent) => {
      if (recording && ev.databaseName === dbName) recording.push(...recordedCommands(ev));
    });
    // The relay is never started: entries only need to be stored (an insert, not what is measured).
    outbox = new Outbox({ conn, producer: new EventProducer(testKafka(), 'watchkeeper/test'), logger });
    requestLog = new RequestLog(conn);
    fleet = new FleetHealthMonitor({ conn, requestLog, outbox, logger, windowMs: 60 * MIN });
    bruteForce = new BruteForceDetector({ conn, outbox, logger, ignore: new IgnoreList(''), groupId: 'periodic-test', maxRetry: 5, findTimeMs: 10 * MIN, now });
  });
  afterAll(async () => {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  });

  const attempts = (ips: string[], at: Date): Array<ConsumedEvent<SshAttempt>> =>
    ips.flatMap((ip) =>
      Array.from({ length: 5 }, (_, i) => {
        const value: SshAttempt = { id: `a-${offset}-${i}`, sourceIp: ip, host: 'bastion', time: new Date(at.getTime() - 10_000 + i * 1000).toISOString(), kind: 'failed', count: 1 };
        const o = String(offset++);
        return { value, key: ip, headers: {}, topic: 'ssh-attempts', partition: 0, offset: o, eventId: value.id };
      }),
    );

  /**
   * History as the running system leaves it: hosts that reported, went silent, were alerted on and
   * left the look-back (released), and addresses that attacked once and went quiet (released).
   */
  async function addHistory(n: number): Promise<void> {
    const round = historyRound++;
    const hosts = Array.from({ length: n }, (_, i) => `gone-${round}-${i}`);
    const ips = Array.from({ length: n }, (_, i) => `10.${round}.${Math.floor(i / 250)}.${i % 250}`);
    for (const host of hosts) requestLog.record({ host, at: now(), status: 200 });
    await requestLog.flush();
    clock += 40 * MIN;
    await fleet.evaluate(now()); // silent: triggered
    await bruteForce.handle(attempts(ips, now())); // brute force: triggered
    clock += 25 * 60 * MIN;
    await fleet.evaluate(now()); // beyond the look-back: released
    await bruteForce.sweep(now()); // quiet for findtime: released
  }

  /** The same periodic work at any history: three hosts and three attackers active now. */
  async function measuredRuns(): Promise<{ commands: RecordedCommand[]; counts: Map<string, number> }> {
    clock += 60 * MIN;
    for (const host of ['h1', 'h2', 'h3']) requestLog.record({ host, at: now(), status: host === 'h3' ? 401 : 200 });
    await requestLog.flush();
    await bruteForce.handle(attempts(['192.0.2.1', '192.0.2.2', '192.0.2.3'], now()));
    clock += 15 * MIN;
    const counts = new Map<string, number>();
    for (const c of await conn.db!.listCollections({}, { nameOnly: true }).toArray()) counts.set(c.name, await conn.db!.collection(c.name).countDocuments());
    recording = [];
    await fleet.evaluate(now());
    await bruteForce.sweep(now());
    const commands = recording;
    recording = undefined;
    return { commands, counts };
  }

  it('sends the same commands, and reads, updates and deletes only collections that did not grow', async () => {
    await addHistory(HISTORY_1X);
    const at1 = await measuredRuns();
    await addHistory(9 * HISTORY_1X);
    const at10 = await measuredRuns();

    const signature = (r: RecordedCommand[]) => r.map((c) => `${c.name} ${c.collection} [${c.filterKeys}]`).sort();
    expect(signature(at10.commands)).toEqual(signature(at1.commands));
    // Both jobs did their work: the active alerts were read and the attackers released.
    expect(at10.commands.some((c) => c.name === 'find' && c.collection === 'fleet_alerts')).toBe(true);
    expect(at10.commands.some((c) => c.collection === 'ssh_bruteforce_alerts')).toBe(true);

    const touched = [...new Set(at10.commands.filter((c) => READ_COMMANDS.has(c.name)).map((c) => c.collection))];
    const grown = touched.filter((name) => (at10.counts.get(name) ?? 0) > (at1.counts.get(name) ?? 0)).map((name) => `${name}: ${at1.counts.get(name)} → ${at10.counts.get(name)}`);
    expect(grown).toEqual([]);
  });

  it('migrate-alert-state deletes the released alerts earlier releases kept, open ones stay, and a second run changes nothing', async () => {
    const released = (subject: string, symptom: string): StatefulAlertDoc & { releasedAt: Date } => ({ _id: `${subject}|${symptom}`, subject, symptom, active: false, since: now(), notifiedBucket: 1, releasedAt: now() });
    await conn.collection('fleet_alerts').insertMany([released('old-a', 'silent'), released('old-b', 'silent')] as never[]);
    await conn.collection('ssh_bruteforce_alerts').insertMany([released('198.51.100.1', 'brute-force')] as never[]);
    const open = async (name: string) => (await conn.collection(name).find({}).toArray()).map((d) => String(d._id)).sort();
    const before = { fleet: await open('fleet_alerts'), brute: await open('ssh_bruteforce_alerts') };
    const config = loadConfig(configSchema, { ...process.env, WATCHKEEPER_ADMIN_TOKEN: 'x'.repeat(24), MONGO_URL, RECEIVER_MONGO_DB: dbName });

    expect(await migrateAlertState(config, logger)).toEqual({ fleet_alerts: 2, ssh_bruteforce_alerts: 1 });
    expect(await open('fleet_alerts')).toEqual(before.fleet.filter((id) => !id.startsWith('old-')));
    expect(await open('ssh_bruteforce_alerts')).toEqual(before.brute.filter((id) => !id.startsWith('198.51.100.1')));
    expect(await conn.collection('fleet_alerts').countDocuments({ active: true })).toBe((await open('fleet_alerts')).length);
    expect(await migrateAlertState(config, logger)).toEqual({ fleet_alerts: 0, ssh_bruteforce_alerts: 0 });
  });
});
