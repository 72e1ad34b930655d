import type { Kafka, ProducerRecord } from 'kafkajs';
import type { z } from 'zod';
import { cloudEventHeaders, type TopicDef } from '@watchkeeper/contracts';
import { ContractViolation } from './errors';
import { producerOptions } from './producer-options';
import { ProducerThread } from './producer-thread';

export interface PublishOptions {
  /** CloudEvents id; deterministic ids let consumers drop replays. Random when absent. */
  id?: string;
  time?: Date | string;
  subject?: string;
}

/**
 * Publishes contract messages as CloudEvents (binary mode). Validates before sending, waits for all
 * in-sync replicas (acks=-1), and lets every failure reach the caller: nothing is swallowed.
 */
export class EventProducer {
  private readonly producer: { connect(): Promise<void>; disconnect(): Promise<void>; send(record: ProducerRecord): Promise<unknown> };
  private connected = false;

  /**
   * `source`: the CloudEvents source of everything it publishes. Given a ProducerThread, requests
   * are sent from that thread; validation and encoding stay in the caller's.
   */
  constructor(kafka: Kafka | ProducerThread, readonly source: string) {
    this.producer = kafka instanceof ProducerThread ? kafka : kafka.producer(producerOptions);
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  /** Serialises one value for its topic: validated value, key and headers. */
  encode<S extends z.ZodType>(topic: TopicDef<S>, value: z.input<S>, opts: PublishOptions = {}) {
    const parsed = topic.schema.safeParse(value);
    if (!parsed.success) {
      throw new ContractViolation(topic.name, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    const data = parsed.data as z.output<S>;
    return {
      key: topic.key(data),
      value: JSON.stringify(data),
      headers: cloudEventHeaders({ type: topic.ceType, source: this.source, id: opts.id, time: opts.time, subject: opts.subject }),
    };
  }

  async publish<S extends z.ZodType>(topic: TopicDef<S>, value: z.input<S>, opts: PublishOptions = {}): Promise<void> {
    await this.send({ topic: topic.name, messages: [this.encode(topic, value, opts)] });
  }

  /** One request for many values; all or nothing from the caller's point of view. */
  async publishMany<S extends z.ZodType>(topic: TopicDef<S>, items: Array<{ value: z.input<S>; opts?: PublishOptions }>): Promise<void> {
    if (items.length === 0) return;
    await this.send({ topic: topic.name, messages: items.map((i) => this.encode(topic, i.value, i.opts)) });
  }

  /** Raw send for bytes that must go out unchanged (dead letters carry the original bytes inside). */
  async send(record: ProducerRecord): Promise<void> {
    await this.producer.send({ acks: -1, timeout: 30_000, ...record });
  }
}
