import type { SshEvent } from '@watchkeeper/contracts';
import { SshAttempt } from '@watchkeeper/contracts';
import { sshAttemptsOf } from './attempts';

let n = 0;
const ev = (kind: SshEvent['kind'], extra: Partial<SshEvent> = {}): SshEvent => ({ id: `h1:f:${n++}`, host: 'h1', time: '2026-03-01T10:00:00Z', timeText: 'x', kind, program: 'sshd', pid: 1, count: 1, sourceIp: '203.0.113.5', ...extra });

describe('sshAttemptsOf', () => {
  it('takes failed (not method none) and invalid_user with a stated address, weighted by count', () => {
    const events = [
      ev('failed', { method: 'password', count: 3, user: 'root' }),
      ev('failed', { method: 'none' }),
      ev('invalid_user', { user: 'admin' }),
      ev('auth_failure'),
      ev('accepted', { method: 'password' }),
      ev('failed', { method: 'password', sourceInferred: true }),
      ev('failed', { method: 'password', sourceIp: undefined }),
      ev('too_many_failures'),
      ev('failed', { method: 'password', sourceIp: 'a'.repeat(254) }),
      ev('invalid_user', { user: 'u'.repeat(600) }),
    ];
    const out = sshAttemptsOf(events);
    expect(out.map((a) => [a.id, a.kind, a.count, a.user])).toEqual([
      [events[0].id, 'failed', 3, 'root'],
      [events[2].id, 'invalid_user', 1, 'admin'],
      [events[9].id, 'invalid_user', 1, 'u'.repeat(512)],
    ]);
    for (const a of out) expect(SshAttempt.parse(a)).toEqual(a);
  });
});
