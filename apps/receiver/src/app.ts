import type { Connection } from 'mongoose';
import { allTopics, Topics } from '@watchkeeper/contracts';
import { ArtifactStore, branchCommits, CodeVersionGate, VersionGateStore } from '@watchkeeper/artifact-store';
import { BruteForceDetector, IgnoreList, publishSshAttempts } from '@watchkeeper/brute-force';
import { FleetHealthMonitor, Periodic, RequestLog } from '@watchkeeper/fleet-health';
import { HostHealthStore } from '@watchkeeper/host-health-store';
import { dashboardIngestRoutes, dashboardProxyRoutes, dashboardRouter } from '@watchkeeper/dashboard';
import { LoadShedder } from '@watchkeeper/http-api';
import { ConsumerRunner, createKafka, ensureTopics, EventProducer } from '@watchkeeper/kafka';
import { connectMongo, ensureIndexes, mongoPing } from '@watchkeeper/mongo';
import { Outbox } from '@watchkeeper/outbox';
import { ChangeFeed, EVENT_STREAM_PATH, receiverHttpApp } from '@watchkeeper/receiver-api';
import { HostTokenStore } from '@watchkeeper/receiver-auth';
import { backoffDelay, listen, opsRouter, sleep, type Logger, type Registry, type RunningServer, type Service } from '@watchkeeper/runtime';
import { applyConsumedSshEvents, SshEventStore } from '@watchkeeper/ssh-stats-store';
import type { Config } from './config';

export interface ReceiverService extends Service {
  /** Set after start: the bound port and the parts tests drive directly (clock-controlled runs). */
  readonly port: number;
  readonly parts: ReceiverParts;
}

export interface ReceiverParts {
  conn: Connection;
  versionGate: VersionGateStore;
  /** Every database the receiver writes (main, outbox, request log, SSH statistics). */
  databases: Connection[];
  outbox: Outbox;
  fleetHealth: FleetHealthMonitor;
  bruteForce: BruteForceDetector;
  requestLog: RequestLog;
  sshEvents: SshEventStore;
  sshConsumer: ConsumerRunner<typeof Topics.sshEvents.schema>;
  /** Brute-force detection: its own group on the attempts topic (keyed by source address). */
  bruteForceConsumer: ConsumerRunner<typeof Topics.sshAttempts.schema>;
  /** Refuses requests beyond what the receiver can serve (its in-flight count is read by tests). */
  shedder: LoadShedder;
  /** Resolves when the ssh-attempts consumer has joined its group and every partition has a position. */
  bruteForceJoined: Promise<void>;
  /** Resolves when the ssh-events consumer has joined its group and every partition has a position. */
  sshJoined: Promise<void>;
}

/**
 * MongoDB is required to start (nothing works without it); Kafka is not: the API answers while Kafka
 * is down, events wait in the outbox, and the ssh-events consumer keeps trying to join.
 */
export function createApp(deps: { config: Config; logger: Logger; registry: Registry; now?: () => Date; validateResponses?: boolean }): ReceiverService {
  const { config, logger, registry } = deps;
  const now = deps.now ?? (() => new Date());
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'watchkeeper-receiver', logger });
  const producer = new EventProducer(kafka, 'watchkeeper/receiver');
  const abort = new AbortController();
  let server: RunningServer | undefined;
  let parts: ReceiverParts | undefined;
  let periodic: Periodic[] = [];
  let consumerLoop: Promise<void> | undefined;
  let stopping = false;
  let shedder: LoadShedder | undefined;
  // Live-update notifications for the dashboard's event streams (polling is the fallback).
  const changes = new ChangeFeed();

  return {
    get port() {
      return server?.port ?? 0;
    },
    get parts() {
      if (!parts) throw new Error('receiver not started');
      return parts;
    },
    async start() {
      const conn = await connectMongo({ url: config.MONGO_URL, dbName: config.RECEIVER_MONGO_DB, logger, serverSelectionTimeoutMS: 2000, timeoutMS: config.RECEIVER_DB_TIMEOUT_MS });
      // The outbox and the request log are written all the time: each gets its own database, which
      // on FerretDB/SQLite is its own file with its own writer lock (on MongoDB it changes nothing).
      const outboxDb = conn.useDb(`${config.RECEIVER_MONGO_DB}_outbox`, { useCache: true });
      const requestsDb = conn.useDb(`${config.RECEIVER_MONGO_DB}_requests`, { useCache: true });
      // Segmented: published entries are cleared by dropping a whole collection (a delete scans the collection on FerretDB/SQLite).
      const outbox = new Outbox({ conn: outboxDb, producer, logger, registry, segmented: true });
      const tokens = new HostTokenStore(conn, { cacheMs: config.TOKEN_CACHE_MS });
      // Saves wait for the group commit at most RECEIVER_MAX_QUEUE_MS; later ones are refused (503), counted as shed.
      // Optionally (RECEIVER_COMMIT_LINGER_MS, off by default) a commit under load waits for more saves:
      // less CPU per request, higher median latency (bench/receiver/notes.md).
      const versionGate = new VersionGateStore(conn, { cacheMs: config.RECEIVER_VERSION_GATE_CACHE_MS });
      const hostHealth = new HostHealthStore(conn, outbox, {
        hiddenHosts: () => tokens.retiredHosts(),
        maxWaitMs: config.RECEIVER_MAX_QUEUE_MS,
        lingerMs: config.RECEIVER_COMMIT_LINGER_MS,
        onQueueTimeout: (n) => shedder?.record('queue-time', n),
      });
      const artifacts = new ArtifactStore(conn, { dir: config.RECEIVER_ARTIFACT_DIR, maxBytes: config.RECEIVER_ARTIFACT_MAX_BYTES });
      // Counts are written every 5 s: each write is an upsert per host (slow on FerretDB/SQLite);
      // the detectors and GET /v1/fleet-health flush first, so they never read stale counts.
      const requestLog = new RequestLog(requestsDb, { flushMs: 5000 });
      const fleetHealth = new FleetHealthMonitor({
        conn,
        requestLog,
        outbox,
        logger,
        windowMs: config.FLEET_WINDOW_MS,
        detector: { silentAfterMs: config.FLEET_SILENT_AFTER_MS, lookBackMs: config.FLEET_LOOKBACK_MS },
        selfChecks: () => hostHealth.all(),
        hiddenHosts: () => tokens.retiredHosts(),
      });
      // SSH statistics in their own database too: the consumer writes a journal and day states per batch.
      const sshDb = conn.useDb(`${config.RECEIVER_MONGO_DB}_ssh`, { useCache: true });
      const sshEvents = new SshEventStore(sshDb, { timeZone: config.SSH_STATS_TZ, retentionDays: config.SSH_RAW_RETENTION_DAYS });
      const bruteForce = new BruteForceDetector({
        conn,
        outbox,
        logger,
        registry,
        now,
        maxRetry: config.BRUTE_FORCE_THRESHOLD,
        findTimeMs: config.BRUTE_FORCE_WINDOW_MS,
        ignore: new IgnoreList(config.BRUTE_FORCE_IGNORE_IP),
        groupId: config.BRUTE_FORCE_GROUP,
      });
      // A busy database may take longer than RECEIVER_DB_TIMEOUT_MS for an index build: retried a few
      // times before giving up, rather than failing the start at the first slow answer.
      await retryOnTimeout(
        () => ensureIndexes([outbox.model, tokens.model, tokens.retired, versionGate.model, hostHealth.model, artifacts.model, requestLog.model, requestLog.hosts, fleetHealth.alerts.model, bruteForce.alerts.model, bruteForce.snapshots]),
        logger,
      );
      await retryOnTimeout(() => sshEvents.init(), logger);
      await artifacts.init();
      await bruteForce.releaseLeftovers();

      const sshConsumer = new ConsumerRunner({
        kafka,
        groupId: config.RECEIVER_SSH_GROUP,
        fromBeginning: config.RECEIVER_SSH_FROM_BEGINNING,
        topic: Topics.sshEvents,
        logger,
        deadLetters: producer,
        registry,
        maxBatchSize: config.RECEIVER_SSH_BATCH_SIZE,
        // Durable when this returns (journal, then day states); the offsets are committed after it.
        batchHandler: async (events) => {
          const applied = await applyConsumedSshEvents(sshEvents, events);
          if (applied.length > 0) changes.notify('ssh');
          // Every event of the batch, not only the newly applied: a crash between the two would lose them otherwise (the detector drops repeats).
          await publishSshAttempts(producer, events.map((e) => e.value));
        },
      });
      // Partitions may have moved to or from another instance: what is cached starts over from the database.
      sshConsumer.onAssigned(() => sshEvents.forget());
      const bruteForceConsumer = new ConsumerRunner({
        kafka,
        groupId: config.BRUTE_FORCE_GROUP,
        fromBeginning: config.RECEIVER_SSH_FROM_BEGINNING,
        topic: Topics.sshAttempts,
        logger,
        deadLetters: producer,
        registry,
        // Each batch ends with one write of the partition's window snapshot (hundreds of KB under an
        // attack, ~0.7 s on FerretDB): large batches keep a backlog's catch-up from being paced by it.
        maxBatchSize: 5_000,
        batchHandler: bruteForce.handle,
      });
      bruteForceConsumer.onAssigned((partitions) => bruteForce.assigned(partitions));
      const bruteForceJoined = new Promise<void>((resolve) => bruteForceConsumer.onPositioned(() => resolve()));
      // Positioned, not just joined: a new group reading from "now" has fixed its start offsets.
      const sshJoined = new Promise<void>((resolve) => sshConsumer.onPositioned(() => resolve()));
      
      const ops = opsRouter({
        registry,
        checks: {
          mongodb: () => mongoPing(conn),
          // Kafka being down does not stop the API; it shows as a growing outbox, reported here.
          outbox: async () => ({ ok: true, detail: outbox.isHealthy ? 'publishing' : 'kafka unavailable; events wait in the outbox' }),
        },
        isStopping: () => stopping,
      });
      // Requests beyond what the receiver can serve are refused at once (503 + Retry-After), before
      // anything is read or stored; the host-facing liveness answer is never refused.
      shedder = new LoadShedder({
        maxInFlight: config.RECEIVER_MAX_IN_FLIGHT,
        maxEventLoopLagMs: config.RECEIVER_MAX_EVENT_LOOP_LAG_MS,
        // A request that would wait for the database longer than its budget is refused before its body is read.
        queueWaitMs: () => hostHealth.estimatedWaitMs(),
        maxQueueWaitMs: config.RECEIVER_MAX_QUEUE_MS,
        queued: addsSnapshot,
        // What HTTP may accept is also bound by what the relay publishes: accepted snapshots waiting
        // for Kafka (the relay behind, or Kafka down) are bounded; beyond, hosts are told to retry.
        outboxBacklog: { size: () => outbox.backlog, max: config.RECEIVER_MAX_OUTBOX_BACKLOG, adds: addsSnapshot },
        registry,
        // Event streams stay open for hours: they are capped by their own limit, not counted here.
        exempt: (req) => {
          const path = req.baseUrl + req.path; // mounted under /v1: req.path alone lacks it
          return path === '/v1/health' || path === EVENT_STREAM_PATH;
        },
      });
      shedder.start();
      parts = { versionGate, conn, databases: [conn, outboxDb, requestsDb, sshDb], outbox, fleetHealth, bruteForce, requestLog, sshEvents, sshConsumer, bruteForceConsumer, bruteForceJoined, sshJoined, shedder };
      const app = receiverHttpApp(
        { logger, adminToken: config.WATCHKEEPER_ADMIN_TOKEN, tokens, hostHealth, artifacts, gate: new CodeVersionGate(config.RECEIVER_ALLOWED_COMMITS, config.RECEIVER_UPDATE_HINT, versionGate), versionGate, requestLog, fleetHealth, sshEvents, now, changes },
        ops,
        {
          jsonLimit: config.RECEIVER_JSON_LIMIT,
          validateResponses: deps.validateResponses,
          extraRoutes: [dashboardProxyRoutes({ heartbeatServerUrl: config.HEARTBEAT_SERVER_URL, alertDispatcherUrl: config.ALERT_DISPATCHER_URL }), dashboardIngestRoutes({ sshLag: () => sshConsumer.lag() })],
          pages: dashboardRouter(),
          shedder,
        },
      );
      // Refusals under overload are decided at the HTTP server, before express (LoadShedder.front).
      server = await listen(shedder.front(app, (path) => path.startsWith('/v1/')), config.RECEIVER_PORT, config.HTTP_HOST);

      requestLog.start();
      outbox.start();
      periodic = [
        new Periodic({ name: 'fleet-health', intervalMs: config.FLEET_CHECK_INTERVAL_MS, logger, now, task: async (t) => {
            await fleetHealth.evaluate(t);
            changes.notify('fleet-health');
          } }),
        // Drops whole collections of raw events past their retention: bounded work whatever is stored.
        new Periodic({ name: 'ssh-retention', intervalMs: 3600_000, logger, now, task: async (t) => void (await sshEvents.prune(t)) }),
        new Periodic({ name: 'brute-force-sweep', intervalMs: Math.min(config.BRUTE_FORCE_WINDOW_MS, 60_000), logger, now, task: (t) => bruteForce.sweep(t) }),
      ];
      const gitDir = config.RECEIVER_VERSION_GATE_GIT_DIR;
      if (gitDir) {
        // Following the maintainer's branch, as the original did: the newest commits become the gate
        // whenever the branch moves (every instance may do it; the write is the same).
        const follow = new Periodic({ name: 'version-gate-git', intervalMs: config.RECEIVER_VERSION_GATE_GIT_INTERVAL_MS, logger, now, task: async (t) => {
              const commits = await branchCommits(gitDir, config.RECEIVER_VERSION_GATE_GIT_REF, config.RECEIVER_VERSION_GATE_WINDOW);
              const cur = await versionGate.current();
              if (cur?.source === 'git' && cur.window === config.RECEIVER_VERSION_GATE_WINDOW && cur.commits.join() === commits.join()) return;
              await versionGate.set({ commits, window: config.RECEIVER_VERSION_GATE_WINDOW }, 'git', t);
              logger.info({ head: commits[0], window: config.RECEIVER_VERSION_GATE_WINDOW, dir: gitDir }, 'version gate follows the git clone');
            } });
        periodic.push(follow);
        await follow.runOnce(); // the gate is current before the first upload is answered
      }
      for (const p of periodic) p.start();
      consumerLoop = keepConsuming(kafka, [sshConsumer, bruteForceConsumer], logger, abort.signal);
      logger.info({ port: server.port, db: config.RECEIVER_MONGO_DB, tz: config.SSH_STATS_TZ }, 'receiver started');
    },
    async stop() {
      stopping = true;
      abort.abort();
      changes.close(); // open event streams would keep the server from closing
      await server?.close();
      shedder?.stop();
      for (const p of periodic) await p.stop();
      if (parts) {
        await parts.sshConsumer.stop().catch((err) => logger.warn({ err }, 'ssh-events consumer stop failed'));
        await parts.bruteForceConsumer.stop().catch((err) => logger.warn({ err }, 'ssh-attempts consumer stop failed'));
        await consumerLoop;
        await parts.requestLog.stop().catch((err) => logger.warn({ err: (err as Error).message }, 'request log flush failed'));
        await parts.outbox.stop();
        await parts.conn.close();
      }
      await producer.disconnect().catch(() => undefined);
    },
  };

  /** Creates the topics and joins the consumers' groups, retrying while Kafka is unreachable. */
  async function keepConsuming(k: typeof kafka, consumers: Array<{ start(): Promise<void>; isRunning: boolean }>, log: Logger, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await ensureTopics(k, allTopics);
        await producer.connect();
        for (const consumer of consumers) if (!consumer.isRunning) await consumer.start();
        return;
      } catch (err) {
        const delay = backoffDelay(attempt, { baseMs: 1000, maxMs: 30_000 });
        log.warn({ err: (err as Error).message, attempt, delay }, 'kafka not reachable; ssh-events consumer will retry');
        await sleep(delay, signal);
      }
    }
  }
}

/** The requests that store a host-health snapshot (an outbox entry each). */
function addsSnapshot(req: { method: string; baseUrl: string; path: string }): boolean {
  return req.method === 'PUT' && (req.baseUrl + req.path).startsWith('/v1/host-health/');
}

async function retryOnTimeout(work: () => Promise<void>, logger: Logger, attempts = 6): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if ((err as Error).name !== 'MongoOperationTimeoutError' || attempt >= attempts) throw err;
      logger.warn({ err: (err as Error).message, attempt }, 'database slow to answer at start; retrying');
      await sleep(backoffDelay(attempt, { baseMs: 1000, maxMs: 10_000 }));
    }
  }
}
