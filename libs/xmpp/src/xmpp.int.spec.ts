import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { destroySocket, PubsubClient, resolveXmppCredentials, XmppSession, jsonElement, jsonTextOf, NS_JSON, type PubsubItem, type RawClient, type XmlElement } from './index';
import { quietLogger, testCredentials, testXmpp } from './testing/env';

// Real Prosody (tools/infra/prosody.sh): wk-server is an admin and may create nodes; wk-client1 may not publish.
describe('XMPP session and pubsub against Prosody', () => {
  const logger = quietLogger();
  const node = `wk-test-${randomUUID()}`;
  let server: XmppSession;
  let client: XmppSession;
  let serverPubsub: PubsubClient;
  let clientPubsub: PubsubClient;

  beforeAll(async () => {
    // The server's credentials come from a .netrc entry for the XMPP domain, as LVAlert's do.
    const dir = mkdtempSync(join(tmpdir(), 'wk-netrc-'));
    const netrc = join(dir, 'netrc');
    writeFileSync(netrc, `machine other.example login nobody password nope\nmachine ${testXmpp.domain} login wk-server password ${testXmpp.password}\n`, { mode: 0o600 });
    const creds = resolveXmppCredentials({ service: testXmpp.service, domain: testXmpp.domain, netrcPath: netrc, resource: `int-${process.pid}` });
    expect(creds.username).toBe('wk-server');
    server = new XmppSession({ credentials: creds, logger, backoff: { baseMs: 100, maxMs: 1000 } });
    client = new XmppSession({ credentials: testCredentials('wk-client1', `int-${process.pid}`), logger, backoff: { baseMs: 100, maxMs: 1000 }, presence: false });
    server.start();
    client.start();
    await Promise.all([server.waitOnline(), client.waitOnline()]);
    serverPubsub = new PubsubClient(server, testXmpp.pubsub);
    clientPubsub = new PubsubClient(client, testXmpp.pubsub);
  });

  afterAll(async () => {
    await serverPubsub?.deleteNode(node).catch(() => undefined);
    await Promise.all([server?.stop(), client?.stop()]);
  });

  it('logs in with SCRAM-SHA-1 and binds the requested resource', () => {
    expect(server.jid).toBe(`wk-server@${testXmpp.domain}/int-${process.pid}`);
    expect(client.jid).toBe(`wk-client1@${testXmpp.domain}/int-${process.pid}`);
  });

  // tools/infra/prosody.sh offers STARTTLS (seed-era clients insist on it); @xmpp/client takes it and
  // verifies the certificate, which the test process trusts through NODE_EXTRA_CA_CERTS (.run/env).
  (process.env.XMPP_STARTTLS === 'off' ? it.skip : it)('negotiates STARTTLS when the server offers it, with the certificate trusted', () => {
    const socket = (client as unknown as { client: { socket: { socket?: { encrypted?: boolean; authorized?: boolean } } } }).client.socket;
    expect(socket.socket?.encrypted).toBe(true);
    expect(socket.socket?.authorized).toBe(true);
  });

  it('creates a node idempotently, publishes to it and a subscriber receives the JSON item', async () => {
    expect(await serverPubsub.createNode(node, { max_items: '1', persist_items: 'false' })).toBe(true);
    expect(await serverPubsub.createNode(node)).toBe(false);
    expect(await clientPubsub.subscribe(node)).toBe('subscribed');

    const received = new Promise<PubsubItem>((resolve) => {
      const onStanza = (s: XmlElement) => {
        const items = clientPubsub.itemsOf(s);
        if (items?.length) {
          client.off('stanza', onStanza);
          resolve(items[0]);
        }
      };
      client.on('stanza', onStanza);
    });
    const value = { hello: 'listeners', n: 42 };
    await serverPubsub.publishJson(node, value);
    const item = await received;
    expect(item.node).toBe(node);
    expect(JSON.parse(item.json!)).toEqual(value);
  });

  it('a subscriber may not publish to the node (answers must not go to the broadcast node)', async () => {
    await expect(clientPubsub.publishJson(node, { nope: true })).rejects.toMatchObject({ name: 'StanzaError', condition: 'forbidden' });
  });

  it('direct messages reach the full JID', async () => {
    const got = new Promise<string>((resolve) => {
      const onStanza = (s: XmlElement) => {
        if (s.is('message') && s.getChild('json', NS_JSON)) {
          server.off('stanza', onStanza);
          resolve(jsonTextOf(s)!);
        }
      };
      server.on('stanza', onStanza);
    });
    await client.sendMessage(server.jid!, jsonElement({ answer: 'yes' }));
    expect(JSON.parse(await got)).toEqual({ answer: 'yes' });
  });

  it('reconnects by itself after the connection drops, and keeps receiving', async () => {
    const offline = new Promise<string>((resolve) => client.once('offline', resolve));
    const backOnline = new Promise<string>((resolve) => client.once('online', resolve));
    // Kill the TCP connection under the client, as a network failure would.
    destroySocket((client as unknown as { client: RawClient }).client);
    await offline;
    expect(client.isOnline).toBe(false);
    await backOnline;
    expect(client.connects).toBe(2);
    await clientPubsub.subscribe(node); // idempotent for the same full JID
    const received = new Promise<string>((resolve) => {
      const onStanza = (s: XmlElement) => {
        const items = clientPubsub.itemsOf(s);
        if (items?.length) {
          client.off('stanza', onStanza);
          resolve(items[0].json!);
        }
      };
      client.on('stanza', onStanza);
    });
    await serverPubsub.publishJson(node, { after: 'reconnect' });
    expect(JSON.parse(await received)).toEqual({ after: 'reconnect' });
  });

  it('rejects bad credentials with a clear error and does not go online', async () => {
    const bad = new XmppSession({ credentials: { ...testCredentials('wk-client2'), password: 'wrong' }, logger, backoff: { baseMs: 5000 } });
    bad.start();
    await expect(bad.waitOnline(1500)).rejects.toThrow(/not online/);
    await bad.stop();
  });
});
