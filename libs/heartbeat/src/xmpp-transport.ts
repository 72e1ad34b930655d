import type { HeartbeatRequest } from '@watchkeeper/contracts';
import { jsonElement, jsonTextOf, type PubsubClient, type XmlElement, type XmppSession } from '@watchkeeper/xmpp';
import { parseJson } from './protocol';
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

  async publishRequest(node: string, request: HeartbeatRequest): Promise<void> {
    await this.pubsub.publishJson(node, request);
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
        const v = parsed.value as { type?: string; ptype?: string };
        if (v && (v.type === 'watchkeeper.heartbeat.request' || v.ptype === 'heartbeat')) continue; // our own request echoed
        runner.handleAnswer(parsed.value, items ? null : (stanza.attrs.from ?? null));
      }
    };
    this.session.on('stanza', onStanza);
    return () => this.session.off('stanza', onStanza);
  }
}
