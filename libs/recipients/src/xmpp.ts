import type { z } from 'zod';
import type { XmppRecipientConfig } from '@watchkeeper/alert-routing';
import type { Notification, Sender, SendResult } from '@watchkeeper/delivery-queue';
import type { Logger } from '@watchkeeper/runtime';
import { PubsubClient, xml, XmppSession } from '@watchkeeper/xmpp';

export const ALERTS_NS = 'urn:watchkeeper:alerts:1';

/**
 * LVAlert-style: each digest is one item published to a pubsub node (Prosody's pubsub component);
 * subscribers get it pushed. The item carries the notifications as JSON in <alerts xmlns="urn:watchkeeper:alerts:1">.
 * The node is created on first use when missing (that needs an account allowed to create nodes).
 * The session (libs/xmpp) connects on the first send and reconnects by itself; a send while it is
 * offline fails as retryable.
 */
export class XmppPubsubSender implements Sender {
  readonly type = 'xmpp';
  private readonly session: XmppSession;
  private readonly pubsub: PubsubClient;
  private nodeReady = false;

  constructor(readonly name: string, private readonly config: z.output<typeof XmppRecipientConfig>, logger: Logger) {
    const { service, domain, username, password } = config;
    this.session = new XmppSession({ credentials: { service, domain, username, password, resource: `dispatcher-${process.pid}` }, logger: logger.child({ recipient: name }) });
    this.session.on('offline', () => (this.nodeReady = false));
    this.pubsub = new PubsubClient(this.session, config.pubsubService);
  }

  async send(batch: Notification[], ctx: { digestId: string }): Promise<SendResult> {
    try {
      this.session.start();
      await this.session.waitOnline(10_000);
      if (!this.nodeReady) {
        await this.pubsub.createNode(this.config.node);
        this.nodeReady = true;
      }
      const payload = JSON.stringify({ receiver: this.name, digestId: ctx.digestId, notifications: batch });
      await this.pubsub.publish(this.config.node, xml('alerts', { xmlns: ALERTS_NS }, payload), ctx.digestId);
      return { ok: true };
    } catch (err) {
      // forbidden / item-not-found will not fix themselves by retrying soon, but config reloads can: keep retrying.
      const e = err as Error & { condition?: string };
      return { ok: false, retryable: true, cause: `xmpp: ${e.condition ?? e.message}`.slice(0, 300) };
    }
  }

  async close(): Promise<void> {
    await this.session.stop();
  }
}
