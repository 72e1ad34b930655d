import { entryElement, xml, jsonElement, type XmlElement } from '@watchkeeper/xmpp';
import { buildRequest, decodeAnswer, newToken } from './protocol';
import { createHeartbeatResponder } from './responder';
import { WorkQueue } from './work-queue';

// Unit test of the responder's logic with an in-memory sender; the real XMPP path is covered by
// apps/heartbeat-server/test/heartbeat.int.spec.ts.
const request = (over: Partial<Parameters<typeof buildRequest>[0]> = {}) =>
  buildRequest({ roundId: newToken(), seq: 1, server: 'localhost', node: 'hb', nonce: newToken(), sentAt: new Date(), replyTo: 'wk-server@localhost/mon', ...over });
const notification = (payload: unknown, node = 'hb') =>
  xml('message', { from: 'pubsub.localhost', to: 'l@localhost/r' }, xml('event', { xmlns: 'http://jabber.org/protocol/pubsub#event' }, xml('items', { node }, xml('item', { id: '1' }, jsonElement(payload)))));

function setup() {
  const sent: Array<{ to: string; body: unknown }> = [];
  const queue = new WorkQueue();
  const responder = createHeartbeatResponder({
    send: { sendMessage: async (to: string, ...p: XmlElement[]) => void sent.push({ to, body: JSON.parse(p[0].getText()) }) },
    identity: { name: 'l', host: 'h', user: 'u', pid: 1, version: 'v' },
    pubsubService: 'pubsub.localhost',
    schedule: (t) => queue.push(t),
    health: () => ({ queueDepth: queue.depth, dispatchDelayMs: queue.lastDispatchDelayMs }),
  });
  return { sent, queue, responder };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('createHeartbeatResponder', () => {
  it('answers a pubsub request through the work queue with a direct message echoing the nonce', async () => {
    const { sent, responder } = setup();
    const req = request();
    expect(responder.handle(notification(req))).toBe(true);
    await tick();
    expect(sent).toHaveLength(1);
    expect(sent[0].to).toBe('wk-server@localhost/mon');
    const a = decodeAnswer(sent[0].body);
    expect(a.ok && a.value).toMatchObject({ nonce: req.nonce, roundId: req.roundId, listenerId: 'l@h' });
  });

  it('a blocked work queue means no answer', async () => {
    const { sent, queue, responder } = setup();
    let unblock!: () => void;
    queue.push(() => new Promise<void>((r) => (unblock = r)));
    responder.handle(notification(request()));
    await tick();
    expect(sent).toHaveLength(0);
    expect(queue.depth).toBe(2);
    unblock();
    await tick();
    await tick();
    expect(sent).toHaveLength(1);
  });

  it("ignores a seed listener's answer on the node (our request copied with ptype response), even though it carries our type and replyTo", async () => {
    const { sent, responder } = setup();
    const seedAnswer = { ...request(), ptype: 'response', hostname: 'ldas-1', user: 'gracedb', pid: 1, name: 'seed' };
    expect(responder.handle(notification(seedAnswer))).toBe(false);
    await tick();
    expect(sent).toHaveLength(0);
  });

  it('a request on the node whose exposed publisher is not its reply-to account is not answered (nodes open to seed publishers)', async () => {
    const { sent, responder } = setup();
    const published = (payload: unknown, publisher: string) =>
      xml('message', { from: 'pubsub.localhost' }, xml('event', { xmlns: 'http://jabber.org/protocol/pubsub#event' }, xml('items', { node: 'hb' }, xml('item', { id: '1', publisher }, jsonElement(payload)))));
    expect(responder.handle(published(request({ replyTo: 'victim@localhost/r' }), 'mallory@localhost'))).toBe(true);
    await tick();
    expect(sent).toHaveLength(0);
    expect(responder.ignored).toBe(1);
    responder.handle(published(request(), 'wk-server@localhost'));
    await tick();
    expect(sent.map((m) => m.to)).toEqual(['wk-server@localhost/mon']);
  });

  it('reads a request published as LVAlert did (JSON text in <entry>)', async () => {
    const { sent, responder } = setup();
    const entry = xml('message', { from: 'pubsub.localhost' }, xml('event', { xmlns: 'http://jabber.org/protocol/pubsub#event' }, xml('items', { node: 'hb' }, xml('item', { id: '1' }, entryElement(request())))));
    expect(responder.handle(entry)).toBe(true);
    await tick();
    expect(sent).toHaveLength(1);
  });

  it('ignores other stanzas, and direct requests whose reply-to is not the sender', async () => {
    const { sent, responder } = setup();
    expect(responder.handle(xml('message', { from: 'x@y/z' }, xml('body', {}, 'hello')))).toBe(false);
    const forged = request({ replyTo: 'victim@localhost/r' });
    expect(responder.handle(xml('message', { from: 'mallory@localhost/r' }, jsonElement(forged)))).toBe(true);
    await tick();
    expect(sent).toHaveLength(0);
    expect(responder.ignored).toBe(1);
    // A genuine re-send from the server itself is answered.
    responder.handle(xml('message', { from: 'wk-server@localhost/mon' }, jsonElement(request())));
    await tick();
    expect(sent).toHaveLength(1);
  });
});
