import mongoose, { type Connection } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { READ_COMMANDS, recordedCommands, type RecordedCommand } from '@watchkeeper/mongo/testing';
import { parseRoutingConfig } from '@watchkeeper/alert-routing';
import { createKafka, EventProducer } from '@watchkeeper/kafka';
import { createMetrics, listen, type RunningServer } from '@watchkeeper/runtime';
import { DispatcherEngine, dispatcherHttpApp, pruneHistory } from '../src';
import { GROUP, HistorySeeder, RECIPIENTS } from './history-days';
import { KAFKA_BROKERS, logger, MONGO_URL } from './support';

/**
 * The alert-dispatcher's recurring work on the real MongoDB-wire server, with 1× and then 10× the
 * stored history: the hourly pruning (`pruneHistory`), the dashboard's `GET /v1/alerts` and an
 * accounting window (`GET /v1/accounting`). The commands each sends are recorded with the driver's
 * command monitoring. FerretDB scans a whole collection for every read, update and delete, even by
 * `_id`, so the work costs the same only if every such command targets a collection whose size does
 * not grow with history (inserts and drops are exempt). Fixed calendar (the jobs take `now`, the API
 * reads the newest day), no timing.
 */
const DAY = 86_400_000;
const TODAY = new Date('2030-01-10T00:00:00.000Z');
const NOW = new Date(TODAY.getTime() + 12 * 3_600_000);
const EXPIRED = new Date(TODAY.getTime() - 40 * DAY);
const RETAINED = [3, 2, 1].map((d) => new Date(TODAY.getTime() - d * DAY));
const BATCHES_1X = 10;
const TOKEN = 'periodic-admin-token-0123456789';
describe('alert-dispatcher periodic work costs the same with 10× the stored history', () => {
  const dbName = `wk_test_dispatcher_periodic_${Date.now().toString(36)}`;
  let conn: Connection;
  let engine: DispatcherEngine;
  let seed: HistorySeeder;
  let api: RunningServer;
  let recording: RecordedCommand[] | undefined;

  beforeAll(async () => {
    conn = mongoose.createConnection(MONGO_URL, { dbName, autoIndex: false, monitorCommands: true });
    await conn.asPromise();
    conn.getClient().on('commandStarted', (ev: CommandStartedEvent) => {
      if (recording && ev.databaseName === dbName) recording.push(...recordedCommands(ev));
    });
    // Never started: no consumer, no workers; the stores, the pruning and the API are what is measured.
    const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: 'periodic-test', logger });
    const routing = { current: parseRoutingConfig(`recipients:\n  ${RECIPIENTS.hook}: { type: webhook, url: "http://127.0.0.1:9/" }\npools:\n  - { name: all, recipients: [${RECIPIENTS.hook}] }\n`, 'periodic.yaml') };
    engine = new DispatcherEngine({ conn, kafka, producer: new EventProducer(kafka, 'test/periodic'), logger, registry: createMetrics('periodic-test'), routing, groupId: GROUP });
    seed = new HistorySeeder(engine);
    api = await listen(dispatcherHttpApp(engine, { adminToken: TOKEN, logger }), 0, '127.0.0.1');
    // The recent day: what /v1/alerts and the accounting window read, written once.
    const today = await seed.day(TODAY, 60, 2);
    await seed.openSegment(today[today.length - 1], NOW);
  });
  afterAll(async () => {
    await api?.close();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${api.port}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return res.json() as Promise<any>;
  };

  /** Retained days get `factor` × their history, and an expired day (pruned by the run) as much. */
  async function addHistory(factor: number): Promise<void> {
    for (const day of [...RETAINED, EXPIRED]) await seed.day(day, factor * BATCHES_1X, 3);
  }

  async function measuredRun() {
    const counts = new Map<string, number>();
    for (const c of await conn.db!.listCollections({}, { nameOnly: true }).toArray()) counts.set(c.name, await conn.db!.collection(c.name).countDocuments());
    recording = [];
    const dropped = await pruneHistory(engine, 30, NOW);
    const alerts = await get('/v1/alerts');
    const accounting = await get(`/v1/accounting?from=${new Date(TODAY.getTime() + 3_600_000).toISOString()}&to=${new Date(TODAY.getTime() + 5 * 3_600_000).toISOString()}`);
    const commands = recording;
    recording = undefined;
    return { commands, counts, dropped, alerts, accounting };
  }

  it('sends the same commands and reads, updates and deletes only collections that did not grow; drops the expired day whole', async () => {
    await addHistory(1);
    const at1 = await measuredRun();
    await addHistory(9);
    const at10 = await measuredRun();

    const signature = (r: RecordedCommand[]) => r.map((c) => `${c.name} ${c.collection} [${c.filterKeys}]`).sort();
    expect(signature(at10.commands)).toEqual(signature(at1.commands));
    const touched = [...new Set(at10.commands.filter((c) => READ_COMMANDS.has(c.name)).map((c) => c.collection))];
    const grown = touched.filter((name) => (at10.counts.get(name) ?? 0) > (at1.counts.get(name) ?? 0)).map((name) => `${name}: ${at1.counts.get(name)} → ${at10.counts.get(name)}`);
    expect(grown).toEqual([]);
    // The API answered the same: the newest alerts and the window's counts do not depend on older history.
    expect(at10.alerts.recent.map((e: { eventId: string }) => e.eventId)).toEqual(at1.alerts.recent.map((e: { eventId: string }) => e.eventId));
    expect(at1.alerts.recent).toHaveLength(100);
    expect(at10.accounting).toEqual(at1.accounting);
    expect(at1.accounting.byRecipient[RECIPIENTS.hook]).toMatchObject({ received: 10 * 2, delivered: 10 * 2 });
    // The expired day went whole, one drop per collection; the retained days stayed.
    const expiredDay = EXPIRED.toISOString().slice(0, 10).replaceAll('-', '');
    for (const run of [at1, at10]) expect(run.dropped.sort()).toEqual([`alert_history_${expiredDay}`, `alert_history_counts_${expiredDay}`, `alert_history_hours_${expiredDay}`, `delivery_digests_${expiredDay}`]);
    expect(await engine.history.days('batches')).toEqual([...RETAINED, TODAY].map((d) => d.toISOString().slice(0, 10).replaceAll('-', '')));
  }, 180_000);
});
