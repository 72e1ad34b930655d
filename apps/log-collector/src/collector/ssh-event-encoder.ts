import { cloudEventHeaders, Topics, type SshEvent } from '@watchkeeper/contracts';
import type { EventProducer } from '@watchkeeper/kafka';
import { checkedSshEvent } from '@watchkeeper/sshd-parser';

export type EncodedEvent = ReturnType<EventProducer['encode']>;

/** The CloudEvents source of this host's collector (the producer's, too). */
export const eventSource = (host: string) => `watchkeeper/log-collector/${host}`;

/**
 * `producer.encode(Topics.sshEvents, value, { id, time })` without zod on the hot path: a value the
 * hand check vouches for (checkedSshEvent: same output as the schema) is serialised here exactly as
 * the producer would (key, JSON, CloudEvents headers — ssh-event-encoder.spec.ts compares them);
 * any other goes to the producer, whose zod check accepts it or throws naming the problem.
 */
export function encodeSshEvent(producer: EventProducer, source: string, value: SshEvent, id: string, time: string): EncodedEvent {
  const data = checkedSshEvent(value);
  if (!data) return producer.encode(Topics.sshEvents, value, { id, time });
  return {
    key: Topics.sshEvents.key(data),
    value: JSON.stringify(data),
    headers: cloudEventHeaders({ type: Topics.sshEvents.ceType, source, id, time }),
  };
}

