import type { ListenerIdentity, WorkPathHealth } from '@watchkeeper/contracts';
import { jsonElement, jsonTextOf, NS_PUBSUB_EVENT, type XmlElement } from '@watchkeeper/xmpp';
import { buildResponse, decodeRequest, parseJson, type DecodedRequest } from './protocol';

export interface HeartbeatResponderOptions {
  /** Sends a direct message (an XmppSession, or anything with the same method). */
  send: { sendMessage(to: string, ...payload: XmlElement[]): Promise<void> };
  identity: ListenerIdentity;
  /** Pubsub service whose notifications may carry requests (e.g. pubsub.localhost). */
  pubsubService: string;
  /** Only answer requests for these nodes (default: any node this session is subscribed to). */
  nodes?: string[];
  /**
   * The listener's own work path: the answer is queued here and sent when the listener gets to it.
   * Default: answer at once (then only the stanza handler itself is proven alive).
   */
  schedule?: (task: () => Promise<void> | void) => void;
  /** The work path's health at answer time. */
  health?: () => WorkPathHealth;
  /** Seed-era requests name no reply JID: their answer is published to the node, as the seed did. */
  legacyPublish?: (node: string, answer: unknown) => Promise<void>;
  onError?: (err: Error, detail: string) => void;
  now?: () => number;
}

export interface HeartbeatResponder {
  /** Call from the listener's stanza handler; returns true when the stanza was a heartbeat request. */
  handle(stanza: XmlElement): boolean;
  readonly answered: number;
  readonly ignored: number;
}

const bare = (jid: string) => jid.replace(/\/.*$/, '');

/**
 * The embeddable heartbeat answerer (what lvalertMP's heartbeat item was): mount it in any
 * @xmpp/client listener's stanza handler. It answers through the listener's own work queue, with a
 * direct message to the requesting server's JID — listeners never need publish rights on the node.
 */
export function createHeartbeatResponder(o: HeartbeatResponderOptions): HeartbeatResponder {
  const now = o.now ?? (() => performance.now());
  const state = { answered: 0, ignored: 0 };
  const schedule = o.schedule ?? ((task) => void task());

  const requestsIn = (stanza: XmlElement): Array<{ json: string; viaPubsub: boolean; node: string | null; publisher: string | null }> => {
    if (!stanza.is('message')) return [];
    const items = stanza.getChild('event', NS_PUBSUB_EVENT)?.getChild('items');
    if (items) {
      if (stanza.attrs.from !== o.pubsubService) return [];
      const node = items.attrs.node ?? null;
      return items
        .getChildren('item')
        .map((item) => ({ json: jsonTextOf(item), publisher: item.attrs.publisher ?? null }))
        .filter((t): t is { json: string; publisher: string | null } => t.json !== null)
        .map(({ json, publisher }) => ({ json, viaPubsub: true, node, publisher }));
    }
    const json = jsonTextOf(stanza);
    return json ? [{ json, viaPubsub: false, node: null, publisher: null }] : [];
  };

  const answer = async (req: DecodedRequest, receivedAt: number) => {
    const dispatchDelayMs = Math.max(0, now() - receivedAt);
    const health = o.health?.() ?? { queueDepth: 0, dispatchDelayMs };
    const response = buildResponse({ request: req, listener: o.identity, health: { ...health, dispatchDelayMs }, now: new Date() });
    if (req.replyTo) await o.send.sendMessage(req.replyTo, jsonElement(response));
    else if (o.legacyPublish) await o.legacyPublish(req.node, response);
    state.answered += 1;
  };

  return {
    get answered() {
      return state.answered;
    },
    get ignored() {
      return state.ignored;
    },
    handle(stanza) {
      let handled = false;
      for (const r of requestsIn(stanza)) {
        const parsed = parseJson(r.json);
        if (!parsed.ok) continue;
        const decoded = decodeRequest(parsed.value);
        if (!decoded.ok) continue; // not a heartbeat request: the listener's own business
        handled = true;
        const req = decoded.value;
        // Answers only go back to the server that asked: a direct request must come from it, and the
        // reply-to must be one of its sessions (so a forged request cannot aim answers elsewhere).
        // On a node open to seed-era publishers anyone may publish a request: where the service names
        // the publisher (Prosody's expose_publisher), it must be the account answers go to.
        // null: a service that hides publishers, where only the node's publish model vouches for it.
        const sender = r.viaPubsub ? (r.publisher ? bare(r.publisher) : null) : bare(stanza.attrs.from ?? '');
        const fromServer = req.legacy || (req.replyTo !== null && (sender === null || bare(req.replyTo) === sender));
        const wanted = !o.nodes || o.nodes.includes(req.node);
        if (!fromServer || !wanted || (r.viaPubsub && r.node !== null && r.node !== req.node)) {
          state.ignored += 1;
          continue;
        }
        const receivedAt = now();
        schedule(() => answer(req, receivedAt).catch((err: Error) => o.onError?.(err, `answer to ${req.replyTo ?? req.node}`)));
      }
      return handled;
    },
  };
}
