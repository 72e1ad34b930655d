import type { Connection } from 'mongoose';
import type { SshEvent } from '@watchkeeper/contracts';

/** An sshd event as releases before the day-state store kept it: all of them in one `ssh_events` collection. */
export interface LegacySshEventDoc {
  _id: string;
  host: string;
  time: Date;
  kind: string;
  pid: number;
  count: number;
  user?: string;
  sourceIp?: string;
  sourceInferred?: boolean;
  method?: string;
}

export const LEGACY_SSH_EVENTS = 'ssh_events';

export function legacyEventsCollection(conn: Connection) {
  if (!conn.db) throw new Error('database not connected');
  return conn.db.collection<LegacySshEventDoc>(LEGACY_SSH_EVENTS);
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
