import { asAny, startReceiver, uniq, type TestReceiver } from './support';

/** Reads server-sent events from a fetch body until `want` returns true for one (or the timeout). */
async function nextEvent(reader: ReadableStreamDefaultReader<Uint8Array>, buf: { text: string }, want: (e: { event: string; data: any }) => boolean, timeoutMs = 5000) {
  const decoder = new TextDecoder();
  const until = Date.now() + timeoutMs;
  for (;;) {
    let cut: number;
    while ((cut = buf.text.indexOf('\n\n')) >= 0) {
      const block = buf.text.slice(0, cut);
      buf.text = buf.text.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && want({ event, data: data ? JSON.parse(data) : undefined })) return { event, data: data ? JSON.parse(data) : undefined };
    }
    const left = until - Date.now();
    if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; buffered: ${JSON.stringify(buf.text)}`);
    const chunk = await Promise.race([reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms`)), left))]);
    if (chunk.done) throw new Error('stream ended');
    buf.text += decoder.decode(chunk.value, { stream: true });
  }
}

describe('live updates: GET /v1/events/stream (server-sent events)', () => {
  let r: TestReceiver;
  beforeAll(async () => {
    r = await startReceiver({ RECEIVER_MAX_IN_FLIGHT: '1' });
  });
  afterAll(async () => {
    await r.stop();
  });

  it('tells an admin stream when host health changed; needs the admin token; is not counted as in flight; ends at shutdown', async () => {
    expect((await fetch(`${r.base}/v1/events/stream`)).status).toBe(401);
    const host = uniq('live');
    const auth = await r.hostAuth(host);
    const abort = new AbortController();
    const res = await fetch(`${r.base}/v1/events/stream`, { headers: r.admin, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const buf = { text: '' };
    await nextEvent(reader, buf, (e) => e.event === 'ready');

    // The open stream does not take the only in-flight place (RECEIVER_MAX_IN_FLIGHT=1 here).
    expect(r.svc.parts.shedder.inFlight).toBe(0);
    const put = await fetch(`${r.base}/v1/host-health/${host}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: '{"ok":true}' });
    expect(put.status).toBe(200);
    const change = await nextEvent(reader, buf, (e) => e.event === 'change');
    expect(asAny(change.data)).toEqual({ topic: 'host-health' });
    abort.abort();
  });

  it('ends open streams when the receiver stops, so shutdown does not hang', async () => {
    const other = await startReceiver();
    const res = await fetch(`${other.base}/v1/events/stream`, { headers: other.admin });
    const reader = res.body!.getReader();
    await nextEvent(reader, { text: '' }, (e) => e.event === 'ready');
    const t0 = Date.now();
    await other.stop();
    expect(Date.now() - t0).toBeLessThan(10_000);
    const end = await Promise.race([reader.read().then((c) => (c.done ? 'ended' : 'data')).catch(() => 'ended'), new Promise((r2) => setTimeout(() => r2('open'), 3000))]);
    expect(end).toBe('ended');
  });
});
