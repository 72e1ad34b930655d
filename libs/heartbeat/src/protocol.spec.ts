import { buildRequest, buildResponse, decodeAnswer, decodeRequest, newToken } from './protocol';

const identity = { name: 'gracedb-listener', host: 'ldas-1', user: 'gracedb', pid: 4242, version: '1.2.3' };

describe('heartbeat protocol', () => {
  it('a request carries the seed fields too, and round-trips through a response', () => {
    const nonce = newToken();
    const req = buildRequest({ roundId: newToken(), seq: 7, server: 'wk-server@localhost', node: 'hb', nonce, sentAt: new Date(), replyTo: 'wk-server@localhost/mon' });
    expect(req).toMatchObject({ ptype: 'heartbeat', key: nonce, server: 'wk-server@localhost', node: 'hb' });
    const d = decodeRequest(JSON.parse(JSON.stringify(req)));
    expect(d.ok && d.value).toMatchObject({ legacy: false, nonce, replyTo: 'wk-server@localhost/mon' });
    const res = buildResponse({ request: (d as unknown as { value: never }).value, listener: identity, health: { queueDepth: 3, dispatchDelayMs: 12 }, now: new Date() });
    const a = decodeAnswer(JSON.parse(JSON.stringify(res)));
    expect(a.ok && a.value).toMatchObject({ legacy: false, nonce, listenerId: 'gracedb-listener@ldas-1', health: { queueDepth: 3 } });
  });

  it('accepts the seed encoding: request {ptype, server, node, key}, response {hostname, user, pid, name, key}', () => {
    const d = decodeRequest({ ptype: 'heartbeat', server: 'emfollow.ligo.caltech.edu', node: 'hb', key: 'abc123' });
    expect(d.ok && d.value).toEqual({ legacy: true, node: 'hb', nonce: 'abc123', roundId: null, replyTo: null, sentAt: null });
    const res = buildResponse({ request: (d as unknown as { value: never }).value, listener: identity, health: { queueDepth: 0, dispatchDelayMs: 0 }, now: new Date() });
    expect(res).toEqual({ ptype: 'heartbeat-response', key: 'abc123', hostname: 'ldas-1', user: 'gracedb', pid: 4242, name: 'gracedb-listener' });
    const a = decodeAnswer({ key: 'abc123', hostname: 'ldas-1', user: 'gracedb', pid: '4242', name: 'old' });
    expect(a.ok && a.value).toMatchObject({ legacy: true, listenerId: 'old@ldas-1', nonce: 'abc123' });
  });

  it('bad input gets a clear error', () => {
    expect(decodeAnswer({ type: 'watchkeeper.heartbeat.response', v: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/invalid heartbeat response: .*nonce/) });
    expect(decodeRequest([1, 2])).toEqual({ ok: false, error: 'not a JSON object' });
    expect(decodeRequest({ hello: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/not a heartbeat request/) });
  });
});
