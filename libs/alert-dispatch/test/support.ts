import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Kafka } from 'kafkajs';
import { Topics, type AlertEvent, type NotificationOutcome } from '@watchkeeper/contracts';
import { createKafka, ensureTopics, EventProducer, positionAtEnd } from '@watchkeeper/kafka';
import { connectMongo } from '@watchkeeper/mongo';
import { createLogger, createMetrics, waitFor, type Registry } from '@watchkeeper/runtime';
import { parseRoutingConfig, type RoutingConfig } from '@watchkeeper/alert-routing';
import { DispatcherEngine, type EngineOptions } from '../src';

// Real servers started by tools/infra/stack.sh (see .run/env).
export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
export const logger = createLogger({ service: 'alert-dispatch-test', level: process.env.TEST_LOG_LEVEL ?? 'warn' });

export interface SinkRequest {
  at: number;
  body: any;
  headers: http.IncomingHttpHeaders;
  raw: string;
}

/** A real HTTP sink: records every POST; `respond` decides the status (and headers) per request. */
export async function startSink(respond: (req: SinkRequest, n: number) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 })) {
  const requests: SinkRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const r: SinkRequest = { at: Date.now(), body: raw ? JSON.parse(raw) : undefined, headers: req.headers, raw };
      const answer = respond(r, requests.length);
      if (answer.status < 300) requests.push(r);
      res.writeHead(answer.status, answer.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    /** Accepted requests only. */
    requests,
    /** Every alert id in accepted watchkeeper-format bodies. */
    alertIds: () => requests.flatMap((r) => (r.body.notifications ?? []).map((n: { alertId: string }) => n.alertId)),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export { waitFor };

export function alert(over: Partial<AlertEvent> & { entity: AlertEvent['entity'] }): AlertEvent {
  return {
    id: randomUUID(),
    action: 'store',
    type: 'test-alert',
    severity: 'critical',
    labels: {},
    source: 'alert-dispatch-test',
    occurredAt: new Date().toISOString(),
    ...over,
  } as AlertEvent;
}

export interface Harness {
  engine: DispatcherEngine;
  conn: Connection;
  kafka: Kafka;
  producer: EventProducer;
  registry: Registry;
  routing: { current: RoutingConfig };
  run: string;
  publish(alerts: AlertEvent[]): Promise<void>;
  stop(opts?: { keepDb?: boolean }): Promise<void>;
}

/** An engine in this process against the real Kafka and MongoDB-wire server, with its own database and group. */
export async function startHarness(name: string, routingYaml: string, extra: Partial<EngineOptions> = {}, reuse?: { run: string }): Promise<Harness> {
  const run = reuse?.run ?? `${name}_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
  const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: `test-${name}`, logger });
  await ensureTopics(kafka, [Topics.alerts, Topics.notifications, Topics.deadLetter]);
  const producer = new EventProducer(kafka, `test/${name}`);
  await producer.connect();
  const conn = await connectMongo({ url: MONGO_URL, dbName: `wk_test_${run}`, logger });
  const registry = createMetrics('alert-dispatcher-test');
  const routing = { current: parseRoutingConfig(routingYaml, `${name}.yaml`) };
  const engine = new DispatcherEngine({ conn, kafka, producer, logger, registry, routing, groupId: `wk-test-${run}`, fromBeginning: false, idlePollMs: 200, ...extra });
  await engine.start();
  await waitFor('consumer group join', () => engine.consuming, 30_000);
  return {
    engine,
    conn,
    kafka,
    producer,
    registry,
    routing,
    run,
    async publish(alerts) {
      await publishAlerts(producer, alerts);
    },
    async stop(opts = {}) {
      await engine.stop();
      if (!opts.keepDb) await conn.dropDatabase().catch(() => undefined);
      await conn.close();
      await producer.disconnect();
    },
  };
}

/** Collects the notification outcomes of this run's recipients from the real topic. */
export async function collectOutcomes(kafka: Kafka, recipientPrefix: string) {
  const groupId = `wk-test-outcomes-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId });
  const outcomes: NotificationOutcome[] = [];
  // Positioned at the topic's end as measured at the join, so no outcome produced after it is skipped.
  let positioned = false;
  consumer.on(consumer.events.GROUP_JOIN, (e) =>
    void positionAtEnd(kafka, consumer, groupId, Topics.notifications.name, e.payload.memberAssignment[Topics.notifications.name] ?? []).then(() => (positioned = true)),
  );
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.notifications.name, fromBeginning: false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const o = JSON.parse(m.value!.toString()) as NotificationOutcome;
        if (o.recipient.startsWith(recipientPrefix)) outcomes.push(o);
      }
    },
  });
  await waitFor('outcome consumer positioned', () => positioned, 30_000);
  return { outcomes, stop: () => consumer.disconnect() };
}

/** Produces alerts in chunks of 1000, a few requests in flight at once (a flood, fast). */
export async function publishAlerts(producer: EventProducer, alerts: AlertEvent[]): Promise<void> {
  const chunks: AlertEvent[][] = [];
  for (let i = 0; i < alerts.length; i += 1000) chunks.push(alerts.slice(i, i + 1000));
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++];
      await producer.publishMany(Topics.alerts, chunk.map((a) => ({ value: a, opts: { id: a.id } })));
    }
  };
  await Promise.all(Array.from({ length: 6 }, lane));
}

/** Are these alert events in the history store? */
export async function recorded(h: Harness, eventIds: string[]): Promise<boolean> {
  const recent = new Set((await h.engine.history.recent(1000)).map((r) => r.eventId));
  return eventIds.every((id) => recent.has(id));
}

// kafkajs' default (Java-compatible) partitioner: murmur2 of the key, positive, modulo partitions.
const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: string) => number;
export const partitionOf = (key: string, partitions: number) => (murmur2(key) & 0x7fffffff) % partitions;
