import { Schema, type Connection, type Model } from 'mongoose';

/** An sshd event as stored: `_id` is the event's own deterministic id, so a replay is a duplicate key. */
export interface SshEventDoc {
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

const eventSchema = new Schema<SshEventDoc>(
  {
    _id: { type: String, required: true },
    host: { type: String, required: true },
    time: { type: Date, required: true },
    kind: { type: String, required: true },
    pid: { type: Number, required: true },
    count: { type: Number, required: true },
    user: String,
    sourceIp: String,
    sourceInferred: Boolean,
    method: String,
  },
  { versionKey: false, bufferCommands: false },
);
// Serves: a host's events over a date range (statistics).
eventSchema.index({ host: 1, time: 1 });
// Serves: the look-back for sessions of given PIDs before the range.
eventSchema.index({ host: 1, pid: 1, time: 1 });
// Serves: failed attempts of one source in a window (brute-force detection).
eventSchema.index({ sourceIp: 1, time: 1 });

/** Hosts that ever reported SSH events, so "all hosts" needs no scan of the events. */
export interface SshHostDoc {
  _id: string;
  firstAt: Date;
  lastAt: Date;
}

const hostSchema = new Schema<SshHostDoc>(
  { _id: { type: String, required: true }, firstAt: { type: Date, required: true }, lastAt: { type: Date, required: true } },
  { versionKey: false, bufferCommands: false },
);

export function sshEventModels(conn: Connection): { events: Model<SshEventDoc>; hosts: Model<SshHostDoc> } {
  return {
    events: conn.models.SshEvent ?? conn.model<SshEventDoc>('SshEvent', eventSchema, 'ssh_events'),
    hosts: conn.models.SshHost ?? conn.model<SshHostDoc>('SshHost', hostSchema, 'ssh_hosts'),
  };
}
