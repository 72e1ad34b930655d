import * as dgram from 'node:dgram';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { Topics, type NotificationOutcome } from '@watchkeeper/contracts';
import { createKafka, ensureTopics, EventProducer } from '@watchkeeper/kafka';
import { createLogger, waitFor } from '@watchkeeper/runtime';
import { PubsubClient, XmppSession } from '@watchkeeper/xmpp';
import type { Notification } from '@watchkeeper/delivery-queue';
import { EmailSender } from './email';
import { KafkaSender } from './kafka';
import { SyslogSender } from './console';
import { signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookSender } from './webhook';
import { ALERTS_NS, XmppPubsubSender } from './xmpp';

// Real servers: an SMTP server process (smtp-server), Kafka, Prosody, a UDP syslog socket, an HTTP sink.
const logger = createLogger({ service: 'recipients-test', level: 'warn' });
const run = randomUUID().slice(0, 8);
const ctx = () => ({ digestId: randomUUID(), signal: AbortSignal.timeout(10_000) });
const n = (i: number, kind: Notification['kind'] = 'firing'): Notification => ({
  id: `ev-${run}-${i}|r`,
  alertId: `al-${run}-${i}`,
  fingerprint: `fp-${i}`,
  kind,
  type: 'disk-full',
  entity: { kind: 'host', id: `web-${i}` },
  labels: { team: 'ops' },
  severity: 'critical',
  summary: `disk ${i} full`,
  source: 'recipients-test',
  occurredAt: new Date().toISOString(),
  receivedAt: new Date().toISOString(),
});

describe('email over SMTP (smtp-server)', () => {
  it('sends a digest of many alerts as one mail; a 5xx reply is permanent, a 4xx one is retried', async () => {
    const mails: Array<{ from: string; to: string[]; data: string }> = [];
    let reject: number | undefined;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_addr, _s, cb) {
        if (reject) return cb(Object.assign(new Error('mailbox busy'), { responseCode: reject }));
        cb();
      },
      onData(stream, session, cb) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          mails.push({ from: session.envelope.mailFrom ? (session.envelope.mailFrom as { address: string }).address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    const sender = new EmailSender('mail', { type: 'email', smtp: { host: '127.0.0.1', port, secure: false, requireTLS: false }, from: 'wk@lab.test', to: ['ops@lab.test', 'oncall@lab.test'], subjectPrefix: '[wk]' });
    try {
      const res = await sender.send([n(1), n(2, 'resolved'), n(3)], ctx());
      expect(res).toEqual({ ok: true });
      expect(mails).toHaveLength(1);
      expect(mails[0].to).toEqual(['ops@lab.test', 'oncall@lab.test']);
      expect(mails[0].data).toContain('Subject: [wk] 3 alerts: 2 firing, 1 resolved, 0 events');
      expect(mails[0].data).toContain('disk 2 full');
      expect(mails[0].data).toMatch(/X-Watchkeeper-Alerts: 3/);
      reject = 550;
      expect(await sender.send([n(4)], ctx())).toMatchObject({ ok: false, retryable: false, cause: 'smtp-550' });
      reject = 451;
      expect(await sender.send([n(5)], ctx())).toMatchObject({ ok: false, retryable: true, cause: 'smtp-451' });
    } finally {
      await sender.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('webhook', () => {
  it('signs the body with HMAC-SHA256 over timestamp and body, and sends Alertmanager v4 payloads', async () => {
    const got: Array<{ headers: http.IncomingHttpHeaders; raw: string }> = [];
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        got.push({ headers: req.headers, raw });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/am`;
    const secret = 'a-very-long-shared-secret';
    const s = new WebhookSender('am', { type: 'webhook', url, format: 'alertmanager', hmacSecret: secret });
    try {
      expect(await s.send([n(1), n(2, 'resolved')], ctx())).toEqual({ ok: true });
      const { headers, raw } = got[0];
      expect(headers[SIGNATURE_HEADER]).toBe(signBody(secret, String(headers[TIMESTAMP_HEADER]), raw));
      expect(signBody('another-secret-of-length', String(headers[TIMESTAMP_HEADER]), raw)).not.toBe(headers[SIGNATURE_HEADER]);
      const body = JSON.parse(raw);
      expect(body).toMatchObject({ version: '4', status: 'firing', receiver: 'am' });
      expect(body.alerts.map((a: { status: string }) => a.status)).toEqual(['firing', 'resolved']);
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const deadPort = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const refused = new WebhookSender('x', { type: 'webhook', url: `http://127.0.0.1:${deadPort}/x`, format: 'watchkeeper' });
      expect(await refused.send([n(3)], ctx())).toMatchObject({ ok: false, retryable: true, cause: expect.stringContaining('ECONNREFUSED') });
    } finally {
      server.close();
    }
  });
});

describe('syslog over UDP', () => {
  it('sends one RFC 5424 datagram per alert', async () => {
    const sock = dgram.createSocket('udp4');
    const lines: string[] = [];
    sock.on('message', (m) => lines.push(m.toString()));
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    const s = new SyslogSender('sys', { type: 'syslog', host: '127.0.0.1', port: sock.address().port, appName: 'wk', facility: 1 });
    try {
      expect(await s.send([n(1), n(2)])).toEqual({ ok: true });
      await waitFor('two datagrams', () => lines.length === 2);
      expect(lines[0]).toMatch(/^<10>1 \S+ \S+ wk - alert \[watchkeeper@32473 fingerprint="fp-1" kind="firing"\] \[FIRING\] critical disk-full on host web-1: disk 1 full/);
    } finally {
      await s.close();
      sock.close();
    }
  });
});

describe('Kafka (notifications topic)', () => {
  it('publishes each alert of the digest with the alert attached', async () => {
    const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'recipients-test', logger });
    await ensureTopics(kafka, [Topics.notifications]);
    const producer = new EventProducer(kafka, 'test/recipients');
    await producer.connect();
    const consumer = kafka.consumer({ groupId: `wk-test-recipients-${run}` });
    const seen: NotificationOutcome[] = [];
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.connect();
    // Start exactly at the current end of the topic (no race between joining and the first fetch).
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(Topics.notifications.name);
    await admin.disconnect();
    await consumer.subscribe({ topic: Topics.notifications.name, fromBeginning: false });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(JSON.parse(message.value!.toString())) });
    for (const e of ends) consumer.seek({ topic: Topics.notifications.name, partition: e.partition, offset: e.offset });
    try {
      await waitFor('join', () => joined, 30_000);
      const s = new KafkaSender(`kafka-${run}`, producer);
      expect(await s.send([n(1), n(2, 'resolved')], ctx())).toEqual({ ok: true });
      const mine = await waitFor('both on the topic', () => {
        const m = seen.filter((o) => o.recipient === `kafka-${run}`);
        return m.length === 2 ? m : undefined;
      });
      expect(mine.map((o) => [o.alertId, o.alert?.kind, o.alert?.summary])).toEqual([
        [`al-${run}-1`, 'firing', 'disk 1 full'],
        [`al-${run}-2`, 'resolved', 'disk 2 full'],
      ]);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});

describe('XMPP pubsub (Prosody)', () => {
  it('publishes each digest as one item to a pubsub node that subscribers get pushed', async () => {
    const service = process.env.XMPP_SERVICE ?? 'xmpp://127.0.0.1:5222';
    const domain = process.env.XMPP_DOMAIN ?? 'localhost';
    const pubsubService = process.env.XMPP_PUBSUB_SERVICE ?? 'pubsub.localhost';
    const password = process.env.XMPP_TEST_PASSWORD ?? 'watchkeeper-dev';
    const node = `wk-test-alerts-${run}`;
    const listener = new XmppSession({ credentials: { service, domain, username: 'wk-client1', password, resource: `t-${run}` }, logger });
    const received: string[] = [];
    const pubsub = new PubsubClient(listener, pubsubService);
    listener.on('stanza', (st) => {
      for (const item of pubsub.itemsOf(st) ?? []) if (item.node === node && item.payload) received.push(item.payload.getText());
    });
    const sender = new XmppPubsubSender('xmpp', { type: 'xmpp', service, domain, username: 'wk-dispatcher', password: process.env.XMPP_DISPATCHER_PASSWORD ?? password, pubsubService, node }, logger);
    try {
      listener.start();
      await listener.waitOnline();
      // The first send creates the node (the dispatcher account may create nodes); then a listener subscribes.
      expect(await sender.send([n(1)], ctx())).toEqual({ ok: true });
      await pubsub.subscribe(node);
      const digest = ctx();
      expect(await sender.send([n(2), n(3, 'resolved')], digest)).toEqual({ ok: true });
      const text = await waitFor('pushed item', () => received.find((t) => t.includes(digest.digestId)));
      const body = JSON.parse(text);
      expect(body.notifications.map((x: Notification) => x.alertId)).toEqual([`al-${run}-2`, `al-${run}-3`]);
      expect(ALERTS_NS).toBe('urn:watchkeeper:alerts:1');
    } finally {
      await sender.close();
      await listener.stop();
    }
  }, 60_000);
});
