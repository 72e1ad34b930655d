/**
 * The small part of @xmpp/client's element type (ltx) this workspace uses. @xmpp/client 0.13 ships no
 * TypeScript types; keeping them here means no caller sees `any`.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  children: Array<XmlElement | string>;
  is(name: string, xmlns?: string): boolean;
  getChild(name: string, xmlns?: string): XmlElement | undefined;
  getChildren(name: string, xmlns?: string): XmlElement[];
  getChildElements(): XmlElement[];
  getText(): string;
  getChildText(name: string, xmlns?: string): string | null;
  toString(): string;
}

export type XmlChild = XmlElement | string | null | undefined | false;
export type XmlFactory = (name: string, attrs?: Record<string, string | number | undefined> | null, ...children: Array<XmlChild | XmlChild[]>) => XmlElement;

interface XmppClientModule {
  xml: XmlFactory;
  client: (options: Record<string, unknown>) => RawClient;
}

/** What this lib uses of an @xmpp/client entity. */
export interface RawClient {
  status: string;
  jid: { toString(): string; bare(): { toString(): string } } | null;
  reconnect: { stop(): void };
  iqCaller: { request(el: XmlElement, timeoutMs?: number): Promise<XmlElement> };
  /** A net.Socket, or (after STARTTLS) @xmpp/tls's wrapper holding the TLS socket as `socket`. */
  socket?: { destroy?: () => void; socket?: { destroy(): void } } | null;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(el: XmlElement): Promise<void>;
  on(event: string, fn: (...args: any[]) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

const mod = require('@xmpp/client') as XmppClientModule;

export const xml: XmlFactory = mod.xml;
export const createRawClient: XmppClientModule['client'] = mod.client;

export const NS_JSON = 'urn:xmpp:json:0';

/** XEP-0335 JSON container: `<json xmlns="urn:xmpp:json:0">{…}</json>`. */
export function jsonElement(value: unknown): XmlElement {
  return xml('json', { xmlns: NS_JSON }, JSON.stringify(value));
}

/**
 * LVAlert's item payload: `<entry>` holding JSON text (the pubsub namespace, as LVAlert's publish left
 * it). The only payload a seed-era listener reads: it takes the text content of the whole event.
 */
export function entryElement(value: unknown): XmlElement {
  return xml('entry', {}, JSON.stringify(value));
}

/**
 * Reads a JSON payload from a pubsub item or message: a XEP-0335 `<json/>` child, an LVAlert
 * `<entry/>`, a `<body/>` (seed-era senders put JSON in the body), else the first child element's
 * text. Returns the raw text.
 */
export function jsonTextOf(el: XmlElement): string | null {
  const json = el.getChild('json', NS_JSON);
  if (json) return json.getText();
  const entry = el.getChild('entry');
  if (entry) return entry.getText();
  const body = el.getChild('body');
  if (body) return body.getText();
  const first = el.getChildElements()[0];
  if (first) {
    const text = first.getText().trim();
    if (text.startsWith('{')) return text;
  }
  return null;
}
