import type { ProducerRecord } from 'kafkajs';

/** What ProducerThread asks its worker; every request is answered with a `result` of its id. */
export type ToThread =
  | { type: 'connect'; id: number }
  | { type: 'send'; id: number; record: ProducerRecord }
  | { type: 'disconnect'; id: number };

export interface ThreadError {
  name: string;
  message: string;
  retriable?: boolean;
}

export type FromThread =
  | { type: 'result'; id: number; error?: ThreadError }
  | { type: 'log'; level: 'error' | 'warn' | 'debug' | 'trace'; fields: Record<string, unknown>; message: string };
