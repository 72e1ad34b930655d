import { Topics, type SshAttempt, type SshEvent } from '@watchkeeper/contracts';
import type { EventProducer } from '@watchkeeper/kafka';

/**
 * The failed login attempts among sshd events, as fail2ban's sshd filter counts them: `Failed <method>`
 * (not `none`, which clients send to ask for the methods) and `Invalid user`. PAM's lines
 * (`auth_failure`) are left out: each repeats a `Failed …` line of the same attempt. Only addresses a
 * line states itself count (`sourceInferred` ones are taken from an earlier line of the process).
 */
export function sshAttemptsOf(events: SshEvent[]): SshAttempt[] {
  const out: SshAttempt[] = [];
  for (const e of events) {
    // Longer than any address or DNS name: not one (and the attempts contract would refuse the whole batch).
    if (!e.sourceIp || e.sourceInferred || e.sourceIp.length > 253) continue;
    if (e.kind !== 'invalid_user' && (e.kind !== 'failed' || e.method === 'none')) continue;
    const a: SshAttempt = { id: e.id, sourceIp: e.sourceIp, host: e.host, time: e.time, kind: e.kind, count: e.count };
    if (e.user !== undefined) a.user = e.user.slice(0, 512);
    out.push(a);
  }
  return out;
}

/**
 * Publishes a batch's attempts to the attempts topic (keyed by source address), acks=all, in one
 * request; resolves once Kafka has them, so the caller may then commit the batch's offsets.
 * The CloudEvents id is the sshd event's id: a redelivered batch publishes the same ids.
 */
export async function publishSshAttempts(producer: EventProducer, events: SshEvent[]): Promise<number> {
  const attempts = sshAttemptsOf(events);
  await producer.publishMany(Topics.sshAttempts, attempts.map((value) => ({ value, opts: { id: value.id, time: value.time, subject: value.sourceIp } })));
  return attempts.length;
}
