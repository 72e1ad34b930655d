import type { Connection } from 'mongoose';
import type { SshEvent } from '@watchkeeper/contracts';
import { SSH_COLLECTIONS } from '@watchkeeper/dal';
import type { LegacySshEventDoc } from '@watchkeeper/dal/receiver';

export function legacyEventsCollection(conn: Connection) {
  if (!conn.db) throw new Error('database not connected');
  return conn.db.collection<LegacySshEventDoc>(SSH_COLLECTIONS.legacyEvents);
}

export function eventOfLegacyDoc(d: LegacySshEventDoc): SshEvent {
  const time = new Date(d.time).toISOString();
  return {
    id: d._id,
    host: d.host,
    time,
    timeText: time,
    kind: d.kind as SshEvent['kind'],
    program: 'sshd',
    pid: d.pid,
    count: d.count ?? 1,
    ...(d.user !== undefined ? { user: d.user } : {}),
    ...(d.sourceIp !== undefined ? { sourceIp: d.sourceIp } : {}),
    ...(d.sourceInferred !== undefined ? { sourceInferred: d.sourceInferred } : {}),
    ...(d.method !== undefined ? { method: d.method } : {}),
  };
}
