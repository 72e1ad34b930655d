import type { z } from 'zod';
import type { XmppRecipientConfig } from '@watchkeeper/alert-routing';
import type { Notification, Sender, SendResult } from '@watchkeeper/delivery-queue';

// @xmpp/client 0.13 is CommonJS without type declarations.
const { client: xmppClient, xml } = require('@xmpp/client') as { client: (opts: object) => XmppClient; xml: XmlFactory };

type XmlElement = { attrs: Record<string, string>; getChild(name: string, ns?: string): XmlElement | undefined };
type XmlFactory = (name: string, attrs?: Record<string, string>, ...children: Array<XmlElement | string>) => XmlElement;
interface XmppClient {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  on(event: string, cb: (arg: unknown) => void): void;
  status: string;
  iqCaller: { request(stanza: XmlElement, timeoutMs?: number): Promise<XmlElement> };
  reconnect?: { stop(): void };
}

export const ALERTS_NS = 'urn:watchkeeper:alerts:1';

/**
 * LVAlert-style: each digest is one item published to a pubsub node (Prosody's pubsub component);
 * subscribers get it pushed. The item carries the notifications as JSON in <alerts xmlns="urn:watchkeeper:alerts:1">.
 * The node is created on first use when missing (that needs an account allowed to create nodes).
 */
export class XmppPubsubSender implements Sender {
  readonly type = 'xmpp';
  private conn: XmppClient | undefined;
  private online: Promise<void> | undefined;
  private nodeReady = false;

  constructor(readonly name: string, private readonly config: z.output<typeof XmppRecipientConfig>) {}

  private connect(): Promise<void> {
    if (this.online) return this.online;
    const c = xmppClient({ service: this.config.service, domain: this.config.domain, username: this.config.username, password: this.config.password, resource: `dispatcher-${process.pid}` });
    c.on('error', () => undefined); // surfaced through failed sends
    this.conn = c;
    this.online = c.start().then(
      () => undefined,
      (err) => {
        this.online = undefined;
        this.conn = undefined;
        c.reconnect?.stop();
        void c.stop().catch(() => undefined);
        throw err;
      },
    );
    return this.online;
  }

  private async ensureNode(): Promise<void> {
    if (this.nodeReady) return;
    try {
      await this.conn!.iqCaller.request(
        xml('iq', { type: 'set', to: this.config.pubsubService }, xml('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub' }, xml('create', { node: this.config.node }))),
        10_000,
      );
    } catch (err) {
      if (!/conflict/.test(String((err as Error).message ?? err)) && (err as { condition?: string }).condition !== 'conflict') throw err;
    }
    this.nodeReady = true;
  }

  async send(batch: Notification[], ctx: { digestId: string }): Promise<SendResult> {
    try {
      await this.connect();
      await this.ensureNode();
      const payload = JSON.stringify({ receiver: this.name, digestId: ctx.digestId, notifications: batch });
      await this.conn!.iqCaller.request(
        xml(
          'iq',
          { type: 'set', to: this.config.pubsubService },
          xml(
            'pubsub',
            { xmlns: 'http://jabber.org/protocol/pubsub' },
            xml('publish', { node: this.config.node }, xml('item', { id: ctx.digestId }, xml('alerts', { xmlns: ALERTS_NS }, payload))),
          ),
        ),
        10_000,
      );
      return { ok: true };
    } catch (err) {
      const e = err as Error & { condition?: string };
      // forbidden / item-not-found will not fix themselves by retrying soon, but config reloads can: keep retrying.
      if (this.conn && this.conn.status !== 'online') {
        this.online = undefined;
        this.nodeReady = false;
      }
      return { ok: false, retryable: true, cause: `xmpp: ${e.condition ?? e.message}`.slice(0, 300) };
    }
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    this.online = undefined;
    if (c) {
      c.reconnect?.stop();
      await c.stop().catch(() => undefined);
    }
  }
}
