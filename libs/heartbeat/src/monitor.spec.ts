import type { AlertEvent } from '@watchkeeper/contracts';
import { VirtualClock } from './clock';
import { HeartbeatMonitor } from './monitor';
import type { HeartbeatTransport } from './runner';

// Pure logic with an in-memory transport, sink and store (the real servers: apps/heartbeat-server/test).
describe('HeartbeatMonitor start while blind', () => {
  it('a listener restored with an open alert shows unknown, not missing, when the monitor is blind before its start', async () => {
    const clock = new VirtualClock();
    const transport: HeartbeatTransport = { selfJid: () => 'srv@localhost/m', publishRequest: async () => undefined, sendRequest: async () => undefined };
    const alerts: AlertEvent[] = [];
    const store = {
      load: async () => [{ node: 'hb', id: 'a@host1', expected: true, state: 'missing' as const, alertOpen: true, lastSeenAtMs: 0 }],
      save: async () => undefined,
    };
    const monitor = new HeartbeatMonitor(
      { server: 'srv@localhost', nodes: ['hb'], intervalMs: 1000, timeoutMs: 500, expected: { hb: ['a@host1'] } },
      transport,
      clock,
      { statuses: () => undefined, alert: (a) => alerts.push(a) },
      store,
    );
    monitor.setBlind('kafka', true); // e.g. no broker at start
    await monitor.start();
    expect(monitor.view().listeners.map((l) => `${l.id}:${l.state}`)).toEqual(['a@host1:unknown']);
    expect(alerts.map((a) => `${a.type}:${a.action}`)).toEqual(['heartbeat.monitor-blind:trigger']);
    monitor.setBlind('kafka', false);
    expect(alerts.map((a) => a.action)).toEqual(['trigger', 'release']);
    await monitor.stop();
  });
});
