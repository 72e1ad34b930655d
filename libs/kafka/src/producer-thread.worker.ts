import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '@watchkeeper/runtime';
import { createKafka, type KafkaOptions } from './client';
import { producerOptions } from './producer-options';
import type { FromThread, ThreadError, ToThread } from './producer-thread.protocol';

/** The worker side of ProducerThread: one kafkajs producer; every request is answered by its id, in whatever order they finish. */
const port = parentPort!;
const post = (m: FromThread) => port.postMessage(m);

/** kafkajs' log lines go to the caller's logger (pino lives there, with the service's bindings). */
function log(level: 'error' | 'warn' | 'debug' | 'trace') {
  return (fields: Record<string, unknown>, message: string) => {
    try {
      post({ type: 'log', level, fields, message });
    } catch {
      post({ type: 'log', level, fields: JSON.parse(JSON.stringify(fields, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : v))), message });
    }
  };
}
const logger = { error: log('error'), warn: log('warn'), debug: log('debug'), trace: log('trace') } as unknown as Logger;

const { kafka: options } = workerData as { kafka: Omit<KafkaOptions, 'logger'> };
const producer = createKafka({ ...options, logger }).producer(producerOptions);

function threadError(err: unknown): ThreadError {
  const e = err as { name?: string; message?: string; retriable?: boolean };
  return { name: e?.name ?? 'Error', message: e?.message ?? String(err), retriable: e?.retriable };
}

/** One connection attempt at a time; a send connects first (a restarted thread starts unconnected). */
let connected: Promise<void> | undefined;
const connect = () =>
  (connected ??= producer.connect().catch((err: unknown) => {
    connected = undefined;
    throw err;
  }));

async function handle(m: ToThread): Promise<void> {
  if (m.type === 'connect') return connect();
  if (m.type === 'send') {
    await connect();
    await producer.send(m.record);
    return;
  }
  connected = undefined;
  await producer.disconnect();
}

port.on('message', (m: ToThread) => {
  handle(m).then(
    () => post({ type: 'result', id: m.id }),
    (err: unknown) => post({ type: 'result', id: m.id, error: threadError(err) }),
  );
});
