import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { LoadShedder } from './load-shedding';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* the event loop is blocked */
  }
};

// The lag the shedder measures itself: only while requests arrive or are in flight (an idle service wakes up for nothing).
describe('LoadShedder event-loop lag timer', () => {
  let server: Server;
  let base: string;
  const held: Array<() => void> = [];
  const shedder = new LoadShedder({ maxInFlight: 0, maxEventLoopLagMs: 100 });

  beforeAll(async () => {
    shedder.start();
    server = createServer(
      shedder.front((req, res) => {
        if (req.url === '/v1/fast') res.end('ok');
        else held.push(() => res.end('ok'));
      }),
    ).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    shedder.stop();
    return new Promise((r) => server.close(r));
  });

  it('is not armed before any request, measures lag while one is in flight, and disarms (lag 0) a second after the last', async () => {
    expect(shedder.measuring).toBe(false);
    const answer = fetch(`${base}/v1/x`).then((r) => r.text());
    while (held.length === 0) await sleep(10);
    expect(shedder.measuring).toBe(true);
    // Lag that lasts (three long blocks while the request is in flight) is overload.
    for (let i = 0; i < 3; i++) {
      await sleep(60);
      busy(400);
    }
    await sleep(60);
    expect(shedder.overloaded()).toBe('event-loop-lag');
    held.shift()!();
    expect(await answer).toBe('ok');
    // A request that is answered at once keeps it armed for a second (a stream of requests keeps one
    // measurement), then it is off with the lag forgotten.
    while (shedder.overloaded()) await sleep(20); // the lag decays (or is dropped) once the blocks are over
    expect(await (await fetch(`${base}/v1/fast`)).text()).toBe('ok');
    const t0 = Date.now();
    await sleep(500);
    expect(shedder.measuring).toBe(true);
    while (shedder.measuring && Date.now() - t0 < 5000) await sleep(50);
    expect(shedder.measuring).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(850);
    expect(shedder.overloaded()).toBeUndefined();
  });
});
