import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

/** One host's requests in one minute: the request log the detectors read (counters, not one document per request). */
export interface RequestMinuteDoc {
  _id: string;
  host: string;
  minute: Date;
  requests: number;
  clientErrors: number;
  uploads: number;
  unstampedUploads: number;
  lastAt: Date;
}

const schema = new Schema<RequestMinuteDoc>(
  {
    _id: { type: String, required: true },
    host: { type: String, required: true },
    minute: { type: Date, required: true },
    requests: Number,
    clientErrors: Number,
    uploads: Number,
    unstampedUploads: Number,
    lastAt: Date,
  },
  { versionKey: false, bufferCommands: false },
);
// fleet-health/src/fleet-health-monitor.ts:activity: the detectors' range scan over the window (FLEET_WINDOW_MS);
// fleet-health/src/request-log.ts:prune: the clean-up of older minutes.
schema.index({ minute: 1 });

export function requestMinuteModel(conn: Connection): Model<RequestMinuteDoc> {
  return conn.models.RequestMinute ?? conn.model<RequestMinuteDoc>('RequestMinute', schema, COLLECTIONS.receiver.requestLog);
}

/** Each host's last request (FerretDB has no `$max` in `$group`, so it is kept rather than computed). */
export interface RequestHostDoc {
  _id: string;
  lastAt: Date;
}

const hostSchema = new Schema<RequestHostDoc>({ _id: { type: String, required: true }, lastAt: { type: Date, required: true } }, { versionKey: false, bufferCommands: false });
// fleet-health/src/fleet-health-monitor.ts:activity: hosts heard from within the look-back;
// fleet-health/src/request-log.ts:prune: hosts not heard from since.
hostSchema.index({ lastAt: 1 });

export function requestHostModel(conn: Connection): Model<RequestHostDoc> {
  return conn.models.RequestHost ?? conn.model<RequestHostDoc>('RequestHost', hostSchema, COLLECTIONS.receiver.requestHosts);
}
