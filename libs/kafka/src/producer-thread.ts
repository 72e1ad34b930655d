import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ProducerRecord } from 'kafkajs';
import type { Logger } from '@watchkeeper/runtime';
import type { KafkaOptions } from './client';
import type { FromThread, ThreadError, ToThread } from './producer-thread.protocol';

/** The compiled worker; jest runs this file from src/, so the path names dist/ either way. */
const WORKER_FILE = path.resolve(__dirname, '../dist/producer-thread.worker.js');

/**
 * A kafkajs producer on a thread of its own, for a process that encodes events as fast as kafkajs
 * can send them (the collector catching up on a busy host's log). kafkajs' per-message encoding and
 * its garbage then use the second core instead of taking turns with reading and parsing. It makes
 * the same producer as EventProducer (see producerOptions) and is used through EventProducer, which
 * still validates and encodes in the caller's thread. kafkajs logs reach the caller's logger.
 *
 * If the thread dies, every pending send fails (the callers retry) and the next request starts a
 * new thread, whose producer connects before its first send.
 */
export class ProducerThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextId = 0;

  constructor(private readonly options: Omit<KafkaOptions, 'logger'> & { logger: Logger }) {}

  connect(): Promise<void> {
    return this.request({ type: 'connect' });
  }

  send(record: ProducerRecord): Promise<void> {
    return this.request({ type: 'send', record });
  }

  async disconnect(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    try {
      await this.request({ type: 'disconnect' });
    } finally {
      this.worker = undefined;
      await worker.terminate();
    }
  }

  private request(message: DistributiveOmit<ToThread, 'id'>): Promise<void> {
    const worker = this.worker ?? this.startWorker();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        worker.postMessage({ ...message, id });
      } catch (err) {
        this.pending.delete(id); // a record that cannot be copied to the thread (e.g. a function in it)
        reject(err as Error);
      }
    });
  }

  private startWorker(): Worker {
    const { logger, ...kafka } = this.options;
    const worker = new Worker(WORKER_FILE, { workerData: { kafka } });
    worker.unref(); // the caller's own handles keep the process alive, as with an in-thread producer
    worker.on('message', (m: FromThread) => {
      if (m.type === 'log') {
        logger[m.level](m.fields, m.message);
        return;
      }
      const waiting = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) waiting?.reject(toError(m.error));
      else waiting?.resolve();
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const { reject } of this.pending.values()) reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => {
      logger.error({ err }, 'Kafka producer thread failed');
      fail(err);
    });
    worker.on('exit', (code) => fail(new Error(`Kafka producer thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** kafkajs errors as the caller would have seen them: name, message and whether retrying may help. */
function toError(e: ThreadError): Error {
  return Object.assign(new Error(e.message), { name: e.name, retriable: e.retriable });
}
