#!/usr/bin/env node
// A seed-era LVAlert listener with lvalertHeartbeat's responder, written from the packet format alone
// (it imports nothing of Watchkeeper): it listens on a pubsub node subscribed by its bare JID (as
// lvalert_admin --subscribe did), reads the JSON text of each item's <entry>, and answers a packet with
// ptype "request" the way lvalert_heartbeat.respond() does: the same packet with ptype "response" and
// hostname, user, pid and name added, published to the same node from a fresh session (a random
// resource, as its send() did). Every session insists on TLS (STARTTLS), as pyxmpp's
// TLSSettings(require=True) did (pyxmpp did not verify the certificate; Node does, against
// NODE_EXTRA_CA_CERTS).
//
// Env: SEED_SERVICE (xmpp://host:port), SEED_DOMAIN, SEED_USERNAME, SEED_PASSWORD, SEED_NODE, SEED_NAME,
// SEED_HOSTNAME, SEED_USER. Stdout: "ready", then "answered <key>" or "publish-error <condition>".
const { client, xml } = require('@xmpp/client');
const { randomBytes } = require('node:crypto');

const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
const NS_EVENT = 'http://jabber.org/protocol/pubsub#event';
const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const service = env('SEED_SERVICE');
const domain = env('SEED_DOMAIN');
const username = env('SEED_USERNAME');
const password = env('SEED_PASSWORD');
const node = env('SEED_NODE');
const identity = { hostname: env('SEED_HOSTNAME'), user: env('SEED_USER'), pid: process.pid, name: env('SEED_NAME') };
const say = (line) => process.stdout.write(`${line}\n`);

/** A session over STARTTLS only: goes online, or fails if the server did not switch to TLS. */
async function connect(domain, resource) {
  const c = client({ service, domain, username, password, resource });
  c.reconnect.stop();
  c.on('error', () => undefined);
  let tls = false;
  c.on('element', (el) => {
    if (el.is('proceed', NS_TLS)) tls = true;
  });
  await c.start();
  if (!tls) {
    await c.stop().catch(() => undefined);
    throw new Error('the server did not offer STARTTLS: refusing a plain session');
  }
  return c;
}

/** lvalert_heartbeat.send(): log in to packet.server, publish to pubsub.<server>, log out. */
async function send(packet) {
  const c = await connect(packet.server, randomBytes(15).toString('hex'));
  try {
    const item = xml('item', {}, xml('entry', {}, JSON.stringify(packet)));
    await c.iqCaller.request(xml('iq', { type: 'set', to: `pubsub.${packet.server}` }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('publish', { node: packet.node }, item))));
    say(`answered ${packet.key}`);
  } catch (err) {
    say(`publish-error ${err.condition ?? err.message}`);
  } finally {
    await c.stop().catch(() => undefined);
  }
}

/** lvalert_heartbeat.respond(): only requests are answered; anything else is ignored. */
function respond(text) {
  let packet;
  try {
    packet = JSON.parse(text);
  } catch {
    return;
  }
  if (!packet || packet.ptype !== 'request') return;
  void send({ ...packet, ptype: 'response', ...identity });
}

async function main() {
  const listen = await connect(domain, `listen-${process.pid}`);
  listen.on('stanza', (stanza) => {
    const items = stanza.is('message') ? stanza.getChild('event', NS_EVENT)?.getChild('items') : undefined;
    if (!items || items.attrs.node !== node) return;
    // lvalert_listen hands the listener the text content of the event: here the item's <entry>.
    for (const item of items.getChildren('item')) respond(item.getChildText('entry') ?? item.getText());
  });
  await listen.send(xml('presence')); // a bare-JID subscription is delivered to available resources
  const bare = `${username}@${domain}`;
  await listen.iqCaller.request(xml('iq', { type: 'set', to: `pubsub.${domain}` }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('subscribe', { node, jid: bare }))));
  say('ready');
  const stop = () => void listen.stop().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`seed-listener: ${err.message}\n`);
  process.exit(1);
});
