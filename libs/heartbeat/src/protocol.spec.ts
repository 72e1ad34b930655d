import { buildRequest, buildResponse, decodeAnswer, decodeRequest, isRequestPacket, newToken } from './protocol';

const identity = { name: 'gracedb-listener', host: 'ldas-1', user: 'gracedb', pid: 4242, version: '1.2.3' };

describe('heartbeat protocol', () => {
  it('a request carries the seed fields too (ptype request, key = nonce, server = domain), and round-trips through a response', () => {
    const nonce = newToken();
    const req = buildRequest({ roundId: newToken(), seq: 7, server: 'localhost', node: 'hb', nonce, sentAt: new Date(), replyTo: 'wk-server@localhost/mon' });
    expect(req).toMatchObject({ ptype: 'request', key: nonce, server: 'localhost', node: 'hb' });
    const d = decodeRequest(JSON.parse(JSON.stringify(req)));
    expect(d.ok && d.value).toMatchObject({ legacy: false, nonce, replyTo: 'wk-server@localhost/mon' });
    const res = buildResponse({ request: (d as unknown as { value: never }).value, listener: identity, health: { queueDepth: 3, dispatchDelayMs: 12 }, now: new Date() });
    const a = decodeAnswer(JSON.parse(JSON.stringify(res)));
    expect(a.ok && a.value).toMatchObject({ legacy: false, nonce, listenerId: 'gracedb-listener@ldas-1', health: { queueDepth: 3 } });
  });

  it('accepts the seed encoding: request {ptype, server, node, key}; answers as the seed does', () => {
    const d = decodeRequest({ ptype: 'request', server: 'emfollow.ligo.caltech.edu', node: 'hb', key: 'abc123' });
    expect(d.ok && d.value).toEqual({ legacy: true, node: 'hb', nonce: 'abc123', server: 'emfollow.ligo.caltech.edu', roundId: null, replyTo: null, sentAt: null });
    const res = buildResponse({ request: (d as unknown as { value: never }).value, listener: identity, health: { queueDepth: 0, dispatchDelayMs: 0 }, now: new Date() });
    expect(res).toEqual({ ptype: 'response', server: 'emfollow.ligo.caltech.edu', node: 'hb', key: 'abc123', hostname: 'ldas-1', user: 'gracedb', pid: 4242, name: 'gracedb-listener' });
    // Requests of the previous Watchkeeper server (ptype "heartbeat", server = its bare JID) still count.
    expect(decodeRequest({ ptype: 'heartbeat', server: 'wk-server@localhost', node: 'hb', key: 'abc123' }).ok).toBe(true);
  });

  it("a seed listener's answer (our whole request copied, ptype response, identity added) is an answer keyed by key, never a request", () => {
    const nonce = newToken();
    const req = buildRequest({ roundId: newToken(), seq: 1, server: 'localhost', node: 'hb', nonce, sentAt: new Date(), replyTo: 'wk-server@localhost/mon' });
    const seedAnswer = { ...JSON.parse(JSON.stringify(req)), ptype: 'response', hostname: 'ldas-1', user: 'gracedb', pid: 4242, name: 'old' };
    expect(decodeRequest(seedAnswer)).toMatchObject({ ok: false, error: expect.stringMatching(/ptype response/) });
    expect(isRequestPacket(seedAnswer)).toBe(false);
    expect(isRequestPacket(req)).toBe(true);
    const a = decodeAnswer(seedAnswer);
    expect(a.ok && a.value).toMatchObject({ legacy: true, listenerId: 'old@ldas-1', nonce, roundId: null, listener: { user: 'gracedb', pid: 4242 } });
    // pid as text (some seed clients) is taken; an answer without ptype response is not a seed answer.
    expect(decodeAnswer({ ptype: 'response', key: 'k', hostname: 'h', user: 'u', pid: '12', name: 'n' }).ok).toBe(true);
    expect(decodeAnswer({ key: 'k', hostname: 'h', user: 'u', pid: 12, name: 'n' })).toMatchObject({ ok: false });
    expect(decodeAnswer({ ptype: 'response', key: 'k', hostname: 'h'.repeat(253), user: 'u', pid: 1, name: 'n'.repeat(100) })).toMatchObject({ ok: false, error: expect.stringMatching(/longer than 300/) });
  });

  it('bad input gets a clear error', () => {
    expect(decodeAnswer({ type: 'watchkeeper.heartbeat.response', v: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/invalid heartbeat response: .*nonce/) });
    expect(decodeRequest([1, 2])).toEqual({ ok: false, error: 'not a JSON object' });
    expect(decodeRequest({ hello: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/not a heartbeat request/) });
  });
});
