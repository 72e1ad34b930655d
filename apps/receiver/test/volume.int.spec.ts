/**
 * A busy host's three days of auth.log (200,000 lines) appended to the log a running collector
 * follows: collector → Kafka → receiver, all real. Every per-day figure the API gives equals the one
 * the generator counted while writing the lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose from 'mongoose';
import { SshLoginsRangeResponse, Topics, type SshEvent } from '@watchkeeper/contracts';
import { EventProducer } from '@watchkeeper/kafka';
import { busyHostLog } from '@watchkeeper/sshd-parser';
import { asAny, eventually, KAFKA_BROKERS, MONGO_URL, startReceiver, testKafka, uniq, type TestReceiver } from './support';

const COLLECTOR_BIN = path.resolve(__dirname, '../../log-collector/bin/watchkeeper-log-collector.js');
const DAY_MS = 86_400_000;

jest.setTimeout(420_000);

describe('volume: a busy host through the whole pipeline', () => {
  let r: TestReceiver;
  let dir: string;
  let collector: ChildProcess | undefined;
  const collectorDb = `wk_test_volume_lc_${Date.now().toString(36)}`;
  const kafka = testKafka();
  const producer = new EventProducer(kafka, 'volume-test');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-volume-'));
    r = await startReceiver({ SSH_STATS_TZ: 'UTC', RECEIVER_SSH_GROUP: uniq('wk-test-volume') });
    await producer.connect();
    await r.svc.parts.sshJoined;
    const probeHost = uniq('probe');
    await eventually(async () => {
      const probe: SshEvent = { id: `${probeHost}:0`, host: probeHost, time: new Date().toISOString(), timeText: 'x', kind: 'session_opened', program: 'sshd', pid: 1, count: 1 };
      await producer.publish(Topics.sshEvents, probe, { id: probe.id });
      return (await r.svc.parts.sshEvents.appliedCount([probe])) > 0;
    }, 60_000, 'probe event applied');
  }, 120_000);

  afterAll(async () => {
    if (collector && collector.exitCode === null) {
      const exited = new Promise((res) => collector!.once('exit', res));
      collector.kill('SIGTERM');
      await exited;
    }
    await producer.disconnect();
    await r?.stop();
    const conn = await mongoose.createConnection(MONGO_URL).asPromise();
    await conn.useDb(collectorDb).dropDatabase().catch(() => undefined);
    await conn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives every per-day figure the generator counted, for 200,000 lines over three days', async () => {
    const host = uniq('bastion');
    const firstDay = Math.floor((Date.now() - 4 * DAY_MS) / DAY_MS) * DAY_MS;
    const log = busyHostLog({ host, firstDay, days: 3, linesPerDay: 66_667 });
    expect(log.lines.length).toBeGreaterThanOrEqual(200_000);
    const file = path.join(dir, 'auth.log');
    fs.writeFileSync(file, '');
    const output: string[] = [];
    collector = spawn(process.execPath, [COLLECTOR_BIN], {
      env: { ...process.env, LOG_LEVEL: 'warn', LOG_COLLECTOR_PORT: '0', HTTP_HOST: '127.0.0.1', LOG_COLLECTOR_TZ: 'UTC', LOG_COLLECTOR_POLL_MS: '100', LOG_COLLECTOR_FILES: file, LOG_COLLECTOR_HOST: host, MONGO_URL, MONGO_DB: collectorDb, KAFKA_BROKERS },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    collector.stdout!.on('data', (b: Buffer) => output.push(b.toString()));
    collector.stderr!.on('data', (b: Buffer) => output.push(b.toString()));
    await new Promise((res) => setTimeout(res, 2000)); // running and following the (empty) file

    const t0 = Date.now();
    const text = log.lines.join('\n') + '\n';
    for (let i = 0; i < text.length; i += 4 << 20) fs.appendFileSync(file, text.slice(i, i + (4 << 20)));

    const dates = log.days.map((d) => d.date);
    const expected = log.days.map((d) => ({ host, ...d }));
    const figures = async () => {
      const res = await fetch(`${r.base}/v1/ssh-logins/range?from=${dates[0]}&to=${dates[dates.length - 1]}&host=${host}`, { headers: r.admin });
      const body = SshLoginsRangeResponse.parse(asAny(await res.json()));
      return body.hosts[0].days.map((d) => d.stats);
    };
    let last: unknown;
    await eventually(
      async () => {
        last = await figures();
        return JSON.stringify(last) === JSON.stringify(expected);
      },
      360_000,
      'API figures equal to the generated ones',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nexpected ${JSON.stringify(expected)}\ngot      ${JSON.stringify(last)}\ncollector: ${output.join('').slice(-2000)}`);
    });
    const seconds = (Date.now() - t0) / 1000;
    process.stdout.write(`volume: ${log.lines.length} lines, ${log.sshdLines} sshd events, correct through the API after ${seconds.toFixed(1)} s (${Math.round(log.sshdLines / seconds)} events/s)\n`);
    expect(await figures()).toEqual(expected);
  });
});
