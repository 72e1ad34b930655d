import type { HeartbeatRequest } from '@watchkeeper/contracts';
import { jsonElement, jsonTextOf, type PubsubClient, type XmlElement, type XmppSession } from '@watchkeeper/xmpp';
import { isRequestPacket, parseJson } from './protocol';
import type { HeartbeatRunner, HeartbeatTransport } from './runner';

/**
 * The runner's transport over one long-lived XMPP session: requests are published to the pubsub node
 * (one publish per round), re-sends and answers are direct messages.
 */
export class XmppHeartbeatTransport implements HeartbeatTransport {
  constructor(
    private readonly session: XmppSession,
    private readonly pubsub: PubsubClient,
  ) {}

  selfJid(): string | null {
    return this.session.jid;
  }

  /** As LVAlert published (`<entry>` JSON), so seed-era listeners read it too. */
  async publishRequest(node: string, request: HeartbeatRequest): Promise<void> {
    await this.pubsub.publishEntry(node, request);
  }

  async sendRequest(to: string, request: HeartbeatRequest): Promise<void> {
    await this.session.sendMessage(to, jsonElement(request));
  }

  /**
   * Routes inbound answers to the runner: direct messages, and (for seed-era listeners, which publish
   * their answer to the node) pubsub items that are answers rather than our own requests.
   */
  attach(runner: HeartbeatRunner): () => void {
    const onStanza = (stanza: XmlElement) => {
      if (!stanza.is('message') || stanza.attrs.type === 'error') return;
      const items = this.pubsub.itemsOf(stanza);
      const texts = items ? items.map((i) => i.json) : [jsonTextOf(stanza)];
      for (const text of texts) {
        if (!text) continue;
        const parsed = parseJson(text);
        if (!parsed.ok) continue;
        if (isRequestPacket(parsed.value)) continue; // our own request echoed back (seed answers are not)
        runner.handleAnswer(parsed.value, items ? null : (stanza.attrs.from ?? null));
      }
    };
    this.session.on('stanza', onStanza);
    return () => this.session.off('stanza', onStanza);
  }
}
