import { hostname, userInfo } from 'node:os';
import express from 'express';
import helmet from 'helmet';
import { createHeartbeatResponder, WorkQueue } from '@watchkeeper/heartbeat';
import { backoffDelay, listen, opsRouter, prom, sleep, type Logger, type Registry, type RunningServer, type Service } from '@watchkeeper/runtime';
import { PubsubClient, resolveXmppCredentials, XmppSession, type XmlElement } from '@watchkeeper/xmpp';
import type { Config } from './config';

const VERSION = '0.1.0';

/**
 * A listener: one XMPP session, subscribed to the heartbeat node(s). Everything it receives goes
 * through one work queue — its real work path — and the embedded responder answers from that queue.
 */
export function createApp(deps: { config: Config; logger: Logger; registry: Registry }): Service & { queue: WorkQueue; session: XmppSession } {
  const { config, logger, registry } = deps;
  const credentials = resolveXmppCredentials({
    service: config.XMPP_SERVICE,
    domain: config.XMPP_DOMAIN,
    username: config.XMPP_USERNAME,
    password: config.XMPP_PASSWORD,
    resource: config.XMPP_RESOURCE ?? config.HEARTBEAT_CLIENT_NAME,
    netrcPath: config.NETRC,
  });
  const session = new XmppSession({ credentials, logger: logger.child({ component: 'xmpp' }), presence: false, keepaliveMs: 15_000, keepaliveTimeoutMs: 5_000, backoff: { baseMs: 250, maxMs: config.XMPP_RECONNECT_MAX_MS } });
  const pubsub = new PubsubClient(session, config.XMPP_PUBSUB_SERVICE ?? `pubsub.${credentials.domain}`);
  const queue = new WorkQueue();
  const answered = new prom.Counter({ name: 'watchkeeper_heartbeat_client_answers_total', help: 'heartbeat requests answered', registers: [registry] });
  const items = new prom.Counter({ name: 'watchkeeper_heartbeat_client_items_total', help: 'other pubsub items handled by the work queue', registers: [registry] });
  // Read by the host's self-check reporter (`watchkeeper-log-collector doctor`): is this listener still answering?
  const lastAnswer = new prom.Gauge({ name: 'watchkeeper_heartbeat_client_last_answer_timestamp_seconds', help: 'when the last heartbeat request was answered (unix seconds; 0: none yet)', registers: [registry] });
  new prom.Gauge({ name: 'watchkeeper_heartbeat_client_queue_depth', help: 'work queue depth', registers: [registry], collect() { this.set(queue.depth); } });

  const responder = createHeartbeatResponder({
    send: session,
    identity: { name: config.HEARTBEAT_CLIENT_NAME, host: config.HEARTBEAT_CLIENT_HOST ?? hostname(), user: userInfo().username, pid: process.pid, version: VERSION, startedAt: new Date().toISOString() },
    pubsubService: pubsub.service,
    nodes: config.HEARTBEAT_NODES,
    schedule: (task) => queue.push(async () => {
      await task();
      answered.inc();
      lastAnswer.set(Date.now() / 1000);
    }),
    health: () => ({ queueDepth: queue.depth, dispatchDelayMs: queue.lastDispatchDelayMs }),
    // A request from lvalertHeartbeat's own server names no reply JID: answer on the node, as the seed did.
    legacyPublish: async (node, answer) => void (await pubsub.publishEntry(node, answer)),
    onError: (err, detail) => logger.warn({ err: err.message, detail }, 'heartbeat answer failed'),
  });

  const onStanza = (stanza: XmlElement) => {
    if (responder.handle(stanza)) return;
    // Anything else on our nodes is this listener's actual work (here: logged), on the same queue.
    for (const item of pubsub.itemsOf(stanza) ?? []) {
      queue.push(() => {
        items.inc();
        logger.info({ node: item.node, id: item.id }, 'pubsub item');
      });
    }
  };
  session.on('stanza', onStanza);
  // Subscriptions are per full JID and the resource is stable: re-subscribing after a reconnect is
  // idempotent. A node that does not exist yet (server not started) is retried with backoff.
  const subscribeAll = async (signal: AbortSignal) => {
    for (let attempt = 1; session.isOnline && !signal.aborted; attempt++) {
      try {
        await Promise.all(config.HEARTBEAT_NODES.map((n) => pubsub.subscribe(n)));
        logger.info({ nodes: config.HEARTBEAT_NODES, jid: session.jid }, 'subscribed');
        return;
      } catch (err) {
        logger.warn({ err: (err as Error).message, attempt }, 'subscribe failed; retrying');
        await sleep(backoffDelay(attempt, { baseMs: 500, maxMs: 10_000 }), signal);
      }
    }
  };
  let subscribing = new AbortController();
  session.on('online', () => {
    subscribing.abort();
    subscribing = new AbortController();
    void subscribeAll(subscribing.signal);
  });

  let http: RunningServer | undefined;
  let stopping = false;
  return {
    queue,
    session,
    async start() {
      session.start();
      const app = express();
      app.use(helmet());
      app.use(opsRouter({ registry, checks: { xmpp: async () => ({ ok: session.isOnline, detail: session.jid ?? 'offline' }) }, isStopping: () => stopping }));
      http = await listen(app, config.HEARTBEAT_CLIENT_PORT, config.HTTP_HOST);
      logger.info({ port: http.port, name: config.HEARTBEAT_CLIENT_NAME, nodes: config.HEARTBEAT_NODES }, 'heartbeat-client started');
    },
    async stop() {
      stopping = true;
      subscribing.abort();
      await http?.close();
      if (session.isOnline) await Promise.all(config.HEARTBEAT_NODES.map((n) => pubsub.unsubscribe(n).catch(() => undefined)));
      session.off('stanza', onStanza);
      await session.stop();
    },
  };
}
