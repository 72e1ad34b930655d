import { Topics, type SshEvent } from '@watchkeeper/contracts';
import type { EventProducer } from '@watchkeeper/kafka';

export type EncodedEvent = ReturnType<EventProducer['encode']>;

/** The CloudEvents source of this host's collector (the producer's, too). */
export const eventSource = (host: string) => `watchkeeper/log-collector/${host}`;

/** An event as its Kafka message (the contract's zod check, key, JSON, CloudEvents headers); throws ContractViolation naming the problem. */
export function encodeSshEvent(producer: EventProducer, value: SshEvent): EncodedEvent {
  return producer.encode(Topics.sshEvents, value, { id: value.id, time: value.time });
}
