import type { CollectorSource, HeartbeatClientState } from './checks';
import { parsePromText } from './prom-text';

const COLLECTOR = {
  behind: 'watchkeeper_log_collector_bytes_behind_eof',
  checkpointAt: 'watchkeeper_log_collector_checkpoint_time_seconds',
  offset: 'watchkeeper_log_collector_checkpoint_offset_bytes',
};
const CLIENT = {
  lastAnswer: 'watchkeeper_heartbeat_client_last_answer_timestamp_seconds',
  started: 'watchkeeper_process_start_time_seconds',
};

async function text(url: string, timeoutMs: number): Promise<{ ok: boolean; status: number; body: string }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { ok: r.ok, status: r.status, body: await r.text() };
}

/** Pure: the collector's sources from its /metrics text. */
export function collectorSources(metrics: string): CollectorSource[] {
  const byPath = new Map<string, CollectorSource>();
  for (const s of parsePromText(metrics, new Set(Object.values(COLLECTOR)))) {
    const path = s.labels.path;
    if (!path) continue;
    const src = byPath.get(path) ?? { path };
    if (s.name === COLLECTOR.behind) src.behindBytes = s.value;
    if (s.name === COLLECTOR.checkpointAt && s.value > 0) src.checkpointAt = s.value * 1000;
    byPath.set(path, src);
  }
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** The log collector's followed sources, read from its ops endpoint (`/metrics`); an Error when it does not answer. */
export async function probeCollector(baseUrl: string, timeoutMs = 5000): Promise<CollectorSource[] | Error> {
  try {
    const r = await text(new URL('/metrics', baseUrl).toString(), timeoutMs);
    if (!r.ok) return new Error(`/metrics answered ${r.status}`);
    return collectorSources(r.body);
  } catch (err) {
    return err as Error;
  }
}

/** Pure: the heartbeat client's state from its /readyz status and /metrics text. */
export function heartbeatClientState(ready: boolean, metrics: string): HeartbeatClientState {
  const samples = parsePromText(metrics, new Set(Object.values(CLIENT)));
  const last = samples.find((s) => s.name === CLIENT.lastAnswer)?.value;
  const started = samples.find((s) => s.name === CLIENT.started)?.value;
  return { online: ready, ...(last ? { lastAnswerAt: last * 1000 } : {}), ...(started ? { startedAt: started * 1000 } : {}) };
}

/** The heartbeat client's last answer and connection, read from its ops endpoint; an Error when it does not answer. */
export async function probeHeartbeatClient(baseUrl: string, timeoutMs = 5000): Promise<HeartbeatClientState | Error> {
  try {
    const [ready, metrics] = await Promise.all([text(new URL('/readyz', baseUrl).toString(), timeoutMs), text(new URL('/metrics', baseUrl).toString(), timeoutMs)]);
    if (!metrics.ok) return new Error(`/metrics answered ${metrics.status}`);
    return heartbeatClientState(ready.ok, metrics.body);
  } catch (err) {
    return err as Error;
  }
}
