import express from 'express';
import helmet from 'helmet';
import { allTopics } from '@watchkeeper/contracts';
import { heartbeatListenerModel } from '@watchkeeper/dal/heartbeat-server';
import { HeartbeatMonitor, realClock, XmppHeartbeatTransport, type MonitorOptions } from '@watchkeeper/heartbeat';
import { createKafka, ensureTopics, EventProducer } from '@watchkeeper/kafka';
import { connectMongo, ensureIndexes, mongoPing } from '@watchkeeper/mongo';
import { backoffDelay, listen, opsRouter, prom, sleep, type Logger, type Registry, type RunningServer, type Service } from '@watchkeeper/runtime';

/** How long start waits for Kafka before it starts blind and keeps connecting in the background. */
const KAFKA_START_WAIT_MS = 5_000;
import { PubsubClient, XmppSession } from '@watchkeeper/xmpp';
import type { Connection } from 'mongoose';
import { planOf, type Config } from './config';
import { heartbeatApi } from './http-api';
import { mountHttpApi } from '@watchkeeper/http-api';
import { KafkaHeartbeatSink } from './kafka-sink';
import { xmppCredentials } from './xmpp-credentials';

export { xmppCredentials } from './xmpp-credentials';
import { MongoLastSeenStore } from './last-seen-store';

export function monitorOptions(config: Config, server: string, plan = planOf(config)): MonitorOptions {
  return {
    server,
    nodes: plan.nodes,
    intervalMs: config.HEARTBEAT_INTERVAL_MS,
    timeoutMs: config.HEARTBEAT_TIMEOUT_MS,
    retryEveryMs: config.HEARTBEAT_RETRY_MS,
    perNode: plan.perNode,
    expected: plan.expected,
    detector: {
      missingK: config.HEARTBEAT_MISSING_K,
      windowN: config.HEARTBEAT_WINDOW_N,
      recoverAfter: config.HEARTBEAT_RECOVER_AFTER,
      lateAfterMs: config.HEARTBEAT_LATE_MS,
      extraTtlMs: config.HEARTBEAT_EXTRA_TTL_MS,
    },
  };
}

/** Wiring: XMPP session → runner/detector (libs/heartbeat) → Kafka sink, MongoDB last-seen store, HTTP. */
export function createApp(deps: { config: Config; logger: Logger; registry: Registry }): Service & { monitor: HeartbeatMonitor; port(): number } {
  const { config, logger, registry } = deps;
  const credentials = xmppCredentials(config);
  const server = `${credentials.username}@${credentials.domain}`;
  const plan = planOf(config, credentials.domain);
  const session = new XmppSession({ credentials, logger: logger.child({ component: 'xmpp' }), presence: false, keepaliveMs: 15_000, keepaliveTimeoutMs: 5_000, backoff: { baseMs: 250, maxMs: config.XMPP_RECONNECT_MAX_MS } });
  const pubsub = new PubsubClient(session, config.XMPP_PUBSUB_SERVICE ?? `pubsub.${credentials.domain}`);
  const transport = new XmppHeartbeatTransport(session, pubsub);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'watchkeeper-heartbeat-server', logger });
  const producer = new EventProducer(kafka, 'watchkeeper/heartbeat-server');

  const rounds = new prom.Histogram({ name: 'watchkeeper_heartbeat_round_seconds', help: 'round duration until roster complete or timeout', labelNames: ['node', 'complete'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers: [registry] });
  const rejected = new prom.Counter({ name: 'watchkeeper_heartbeat_answers_rejected_total', help: 'answers not taken, by reason', labelNames: ['reason'], registers: [registry] });
  const sinkEvents = new prom.Counter({ name: 'watchkeeper_heartbeat_events_total', help: 'heartbeat events to Kafka by kind and outcome', labelNames: ['kind', 'outcome'], registers: [registry] });
  const messages = new prom.Counter({ name: 'watchkeeper_heartbeat_messages_total', help: 'stanzas the server sent (publish + re-sends) and answers it accepted', labelNames: ['direction'], registers: [registry] });
  const storeErrors = new prom.Counter({ name: 'watchkeeper_heartbeat_store_errors_total', help: 'failed last-seen writes (retried next round)', registers: [registry] });

  // eslint-disable-next-line prefer-const -- the sink (created first) reports broker health to the monitor
  let monitor: HeartbeatMonitor;
  const sink = new KafkaHeartbeatSink(producer, {
    logger,
    onBrokerDown: (down) => monitor.setBlind('kafka', down),
    // At least one round: a publish is slower than that only when the broker is gone.
    stallMs: Math.max(5_000, config.HEARTBEAT_INTERVAL_MS, ...Object.values(plan.perNode).map((n) => n.intervalMs ?? 0)),
    connected: false, // until connectKafka() has the topics and the producer
    counters: { dropped: (kind, n) => sinkEvents.inc({ kind, outcome: 'dropped' }, n), published: (kind, n) => sinkEvents.inc({ kind, outcome: 'published' }, n) },
  });
  let mongo: Connection | undefined;
  let store: MongoLastSeenStore | null = null;
  const storeProxy = {
    load: () => (store ? store.load() : Promise.resolve([])),
    save: (list: Parameters<MongoLastSeenStore['save']>[0]) => (store ? store.save(list) : Promise.resolve()),
  };
  monitor = new HeartbeatMonitor(monitorOptions(config, server, plan), transport, realClock, sink, storeProxy, {
    onRound: (s) => {
      rounds.observe({ node: s.node, complete: String(s.complete) }, s.durationMs / 1000);
      messages.inc({ direction: 'out' }, s.messagesOut);
      messages.inc({ direction: 'in' }, s.messagesIn);
    },
    onRejected: (reason, detail) => {
      rejected.inc({ reason });
      logger.debug({ reason, detail }, 'heartbeat answer rejected');
    },
    onBlindChange: (blind, reasons) => (blind ? logger.error({ reasons }, 'monitor blind') : logger.info('monitor can see again')),
    onStoreError: (err) => {
      storeErrors.inc();
      logger.warn({ err: err.message }, 'last-seen write failed; retried next round');
    },
  });
  new prom.Gauge({
    name: 'watchkeeper_heartbeat_listeners',
    help: 'listeners by node and state',
    labelNames: ['node', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of monitor.detector.list()) this.inc({ node: r.node, state: r.state });
    },
  });

  let stopping = false;
  const detach = transport.attach(monitor.runner);
  const prepareNodes = async () => {
    for (const node of plan.nodes) {
      const publishModel = plan.publishModel[node];
      const created = await pubsub.createNode(node, { max_items: '1', ...(publishModel ? { publish_model: publishModel } : {}) });
      // A node that was already there gets the configured publish model too (we are its owner or an admin).
      if (!created && publishModel) await pubsub.configureNode(node, { publish_model: publishModel });
      // Seed-era listeners publish their answer to the node; subscribing lets us take those too.
      await pubsub.subscribe(node);
    }
  };
  session.on('online', () => {
    prepareNodes().then(
      () => monitor.setBlind('xmpp', false),
      (err: Error) => {
        logger.error({ err: err.message }, 'cannot prepare the heartbeat nodes');
        monitor.setBlind('xmpp', true);
      },
    );
  });
  // Our own stop closes the session too: that is not blindness (a trigger then would stay open
  // downstream, with no release, after every restart).
  session.on('offline', () => {
    if (!stopping) monitor.setBlind('xmpp', true);
  });

  let http: RunningServer | undefined;
  const stopAbort = new AbortController();

  /** Topics and producer, retried until they work (or the service stops). */
  async function connectKafka(): Promise<void> {
    for (let attempt = 1; !stopAbort.signal.aborted; attempt++) {
      try {
        await ensureTopics(kafka, allTopics);
        if (stopAbort.signal.aborted) return;
        await producer.connect();
        // The sink sends what waited; its first publish that works clears a start-up blindness.
        sink.producerConnected();
        return;
      } catch (err) {
        logger.warn({ err: (err as Error).message, attempt }, 'kafka not reachable; retrying');
        await sleep(backoffDelay(attempt, { baseMs: 1000, maxMs: 10_000 }), stopAbort.signal).catch(() => undefined);
      }
    }
  }

  return {
    monitor,
    port: () => http?.port ?? 0,
    async start() {
      mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, logger });
      const model = heartbeatListenerModel(mongo);
      await ensureIndexes([model]);
      store = new MongoLastSeenStore(model, server);
      // Kafka away at start is the same as losing it later: the monitor starts blind (status API and
      // the check say so) instead of exiting, and sees once the topics and the producer are there.
      const kafkaReady = connectKafka();
      const inTime = await Promise.race([kafkaReady.then(() => true), sleep(KAFKA_START_WAIT_MS, stopAbort.signal).then(() => false, () => false)]);
      if (!inTime) sink.markUnavailable(`Kafka not reachable within ${KAFKA_START_WAIT_MS} ms of start`);
      session.start();
      try {
        await session.waitOnline(15_000);
        await prepareNodes();
      } catch (err) {
        logger.error({ err: (err as Error).message }, 'XMPP not ready at start: monitor starts blind');
      }
      await monitor.start();
      const app = express();
      app.use(helmet());
      app.use(
        opsRouter({
          registry,
          checks: {
            xmpp: async () => ({ ok: session.isOnline, detail: session.jid ?? 'offline' }),
            kafka: async () => ({ ok: sink.ready && !sink.brokerDown, detail: `${sink.queued} queued` }),
            mongo: async () => (mongo ? mongoPing(mongo) : false),
          },
          isStopping: () => stopping,
        }),
      );
      mountHttpApi(app, heartbeatApi(monitor), { logger, title: 'Watchkeeper heartbeat-server API' });
      http = await listen(app, config.HEARTBEAT_SERVER_PORT, config.HTTP_HOST);
      logger.info({ port: http.port, server, nodes: plan.nodes, publishModel: plan.publishModel }, 'heartbeat-server started');
    },
    async stop() {
      stopping = true;
      stopAbort.abort(); // a connect attempt in flight is left behind: the process exits after stop
      await http?.close();
      await monitor.stop();
      detach();
      await session.stop();
      await sink.stop();
      await producer.disconnect();
      await mongo?.close();
    },
  };
}
