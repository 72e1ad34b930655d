import type { XmppSession } from './session';
import { entryElement, jsonElement, jsonTextOf, xml, type XmlElement } from './xml';

export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
export const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';

export interface PubsubItem {
  node: string;
  id: string | null;
  /** The item's payload element (first child of <item/>). */
  payload: XmlElement | null;
  /** JSON text of the payload, when it has one. */
  json: string | null;
  /** Who published it, when the service exposes publishers. */
  publisher: string | null;
}

function dataForm(fields: Record<string, string>): XmlElement {
  return xml(
    'x',
    { xmlns: 'jabber:x:data', type: 'submit' },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, `${NS_PUBSUB}#node_config`)),
    ...Object.entries(fields).map(([k, v]) => xml('field', { var: `pubsub#${k}` }, xml('value', {}, v))),
  );
}

function errorCondition(err: unknown): string | null {
  const e = err as { name?: string; condition?: string };
  return e.name === 'StanzaError' ? (e.condition ?? null) : null;
}

/** XEP-0060 helpers on one pubsub service (e.g. pubsub.localhost). */
export class PubsubClient {
  constructor(private readonly session: XmppSession, readonly service: string) {}

  /** Creates the node if it does not exist (a `conflict` means it does: fine). Returns true if created. */
  async createNode(node: string, config: Record<string, string> = {}): Promise<boolean> {
    const children: XmlElement[] = [xml('create', { node })];
    if (Object.keys(config).length > 0) children.push(xml('configure', {}, dataForm(config)));
    try {
      await this.session.iq(xml('iq', { type: 'set', to: this.service }, xml('pubsub', { xmlns: NS_PUBSUB }, ...children)));
      return true;
    } catch (err) {
      if (errorCondition(err) === 'conflict') return false;
      throw err;
    }
  }

  /** Sets node options (owner or admin only), e.g. { publish_model: 'open' } on a node that already exists. */
  async configureNode(node: string, config: Record<string, string>): Promise<void> {
    await this.session.iq(xml('iq', { type: 'set', to: this.service }, xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('configure', { node }, dataForm(config)))));
  }

  async deleteNode(node: string): Promise<void> {
    try {
      await this.session.iq(xml('iq', { type: 'set', to: this.service }, xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('delete', { node }))));
    } catch (err) {
      if (errorCondition(err) !== 'item-not-found') throw err;
    }
  }

  /** Publishes one item; returns its id. */
  async publish(node: string, payload: XmlElement, itemId?: string): Promise<string | null> {
    const res = await this.session.iq(
      xml('iq', { type: 'set', to: this.service }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('publish', { node }, xml('item', itemId ? { id: itemId } : {}, payload)))),
    );
    return res.getChild('pubsub', NS_PUBSUB)?.getChild('publish')?.getChild('item')?.attrs.id ?? itemId ?? null;
  }

  publishJson(node: string, value: unknown, itemId?: string): Promise<string | null> {
    return this.publish(node, jsonElement(value), itemId);
  }

  /** Publishes JSON as LVAlert did (`<entry>` text): readable by seed-era listeners and by jsonTextOf. */
  publishEntry(node: string, value: unknown, itemId?: string): Promise<string | null> {
    return this.publish(node, entryElement(value), itemId);
  }

  /**
   * Subscribes `jid` (default: this session's full JID, so notifications reach exactly this session,
   * and a stable resource makes re-subscribing after a reconnect idempotent).
   */
  async subscribe(node: string, jid = this.session.jid ?? this.session.bareJid): Promise<string> {
    const res = await this.session.iq(xml('iq', { type: 'set', to: this.service }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('subscribe', { node, jid }))));
    return res.getChild('pubsub', NS_PUBSUB)?.getChild('subscription')?.attrs.subscription ?? 'subscribed';
  }

  async unsubscribe(node: string, jid = this.session.jid ?? this.session.bareJid): Promise<void> {
    try {
      await this.session.iq(xml('iq', { type: 'set', to: this.service }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('unsubscribe', { node, jid }))));
    } catch (err) {
      const c = errorCondition(err);
      if (c !== 'unexpected-request' && c !== 'item-not-found') throw err;
    }
  }

  /** The pubsub items in a stanza if it is an event notification from this service, else null. */
  itemsOf(stanza: XmlElement): PubsubItem[] | null {
    if (!stanza.is('message') || stanza.attrs.from !== this.service) return null;
    const items = stanza.getChild('event', NS_PUBSUB_EVENT)?.getChild('items');
    if (!items) return null;
    const node = items.attrs.node ?? '';
    return items.getChildren('item').map((item) => {
      const payload = item.getChildElements()[0] ?? null;
      return { node, id: item.attrs.id ?? null, payload, json: payload ? jsonTextOf(item) : null, publisher: item.attrs.publisher ?? null };
    });
  }
}
