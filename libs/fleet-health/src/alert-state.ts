import { Schema, type Connection, type Model } from 'mongoose';

/** A stateful alert raised by this service: open while `active`, one document per (subject, symptom). */
export interface AlertStateDoc {
  _id: string;
  /** Host name or source address the alert is about. */
  subject: string;
  symptom: string;
  active: boolean;
  since: Date;
  /** Hour bucket (ms since epoch / 3 600 000) of the last trigger sent: one notification per hour at most. */
  notifiedBucket: number;
  releasedAt?: Date;
}

const schema = new Schema<AlertStateDoc>(
  {
    _id: { type: String, required: true },
    subject: { type: String, required: true },
    symptom: { type: String, required: true },
    active: { type: Boolean, required: true },
    since: { type: Date, required: true },
    notifiedBucket: { type: Number, required: true },
    releasedAt: Date,
  },
  { versionKey: false, bufferCommands: false },
);
// Serves: each run reads the open alerts.
schema.index({ active: 1 });

export function alertStateModel(conn: Connection, collection: string): Model<AlertStateDoc> {
  return conn.models[collection] ?? conn.model<AlertStateDoc>(collection, schema, collection);
}

export const hourBucket = (at: Date): number => Math.floor(at.getTime() / 3_600_000);
