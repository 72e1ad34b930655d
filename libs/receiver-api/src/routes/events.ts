import { serviceUnavailable } from '@watchkeeper/http-api';
import type { RouteContext } from '../deps';

/** Open event streams at most: each holds a connection; polling remains for everyone else. */
export const MAX_EVENT_STREAMS = 32;
export const EVENT_STREAM_PATH = '/v1/events/stream';

export function eventRoutes({ api, admin, changes }: RouteContext): void {
  api.route({
    method: 'get',
    path: EVENT_STREAM_PATH,
    operationId: 'eventStream',
    summary: 'Server-sent events: which of the receiver’s data changed (for live pages)',
    description:
      'A `text/event-stream`: `event: change` with data `{"topic": "host-health" | "ssh" | "fleet-health"}` when stored data ' +
      'of that kind changed (coalesced, at most about four per second), and a comment line every 15 s. It carries no data ' +
      'itself: a client re-reads what it shows. Polling is the fallback; at most 32 streams are open at once (503 beyond).',
    tags: ['live'],
    security: ['adminToken'],
    before: [admin],
    responses: { 200: { description: 'text/event-stream (never ends on its own)' } },
    handler: async (_input, req, res) => {
      if (!changes) throw serviceUnavailable('live updates are not available on this instance; poll instead', 5);
      if (changes.subscribers >= MAX_EVENT_STREAMS) throw serviceUnavailable('too many event streams are open; poll instead', 30);
      res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      res.write('retry: 5000\n\n');
      await new Promise<void>((resolve) => {
        const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
        const end = () => {
          clearInterval(ping);
          unsubscribe();
          resolve();
        };
        const unsubscribe = changes.subscribe({
          change: (topic) => res.write(`event: change\ndata: ${JSON.stringify({ topic })}\n\n`),
          close: () => res.end(),
        });
        res.on('close', end);
        res.write('event: ready\ndata: {}\n\n');
      });
      req.socket.setTimeout(0);
    },
  });
}
