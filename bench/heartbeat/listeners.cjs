// Many simulated listeners in one process: one XMPP session each (accounts × resources), each with the
// embedded responder, subscribed by full JID to the heartbeat node. Prints "ready" when all are up.
// Usage: node listeners.cjs SERVICE NODE ACCOUNT_PREFIX FIRST_ACCOUNT ACCOUNTS RESOURCES_PER_ACCOUNT PASSWORD
const { XmppSession, PubsubClient } = require('@watchkeeper/xmpp');
const { createHeartbeatResponder } = require('@watchkeeper/heartbeat');
const { createLogger } = require('@watchkeeper/runtime');

const [service, node, prefix, first, accounts, perAccount, password] = process.argv.slice(2);
const logger = createLogger({ service: 'bench-listeners', level: 'warn' });
const sessions = [];

async function one(account, resource) {
  const s = new XmppSession({ credentials: { service, domain: 'localhost', username: `${prefix}${account}`, password, resource: `r${resource}` }, logger, presence: false, keepaliveMs: 0, backoff: { baseMs: 500, maxMs: 5000 } });
  const responder = createHeartbeatResponder({
    send: s,
    identity: { name: `bench-${account}-${resource}`, host: 'benchhost', user: 'bench', pid: process.pid, version: 'bench' },
    pubsubService: 'pubsub.localhost',
  });
  s.on('stanza', (st) => responder.handle(st));
  const pubsub = new PubsubClient(s, 'pubsub.localhost');
  s.on('online', () => void pubsub.subscribe(node).catch((err) => logger.error({ err: err.message }, 'subscribe failed')));
  s.start();
  await s.waitOnline(120_000);
  await pubsub.subscribe(node);
  sessions.push(s);
}

async function main() {
  const jobs = [];
  for (let a = Number(first); a < Number(first) + Number(accounts); a++) for (let r = 0; r < Number(perAccount); r++) jobs.push([a, r]);
  let next = 0;
  // Bounded concurrency: logins are SCRAM (PBKDF2) on both sides.
  await Promise.all(Array.from({ length: 25 }, async () => {
    while (next < jobs.length) {
      const [a, r] = jobs[next++];
      await one(a, r);
    }
  }));
  process.stdout.write(`ready ${sessions.length}\n`);
}

process.on('SIGTERM', async () => {
  await Promise.all(sessions.map((s) => s.stop()));
  process.exit(0);
});
main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
