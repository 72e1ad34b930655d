import { Schema, type Connection, type Model } from 'mongoose';

/**
 * An open stateful alert raised by the receiver, one document per (subject, symptom). Released alerts
 * are deleted, so the collection holds active state only and its size never grows with history (the
 * alerts themselves are kept by the alert-dispatcher's history). `active` is always true in documents
 * written since; older releases left `active: false` documents (`migrate-alert-state` removes them).
 */
export interface StatefulAlertDoc {
  _id: string;
  /** Host name or source address the alert is about. */
  subject: string;
  symptom: string;
  active: boolean;
  since: Date;
  /** Hour bucket (ms since epoch / 3 600 000) of the last trigger sent: one notification per hour at most. */
  notifiedBucket: number;
}

const schema = new Schema<StatefulAlertDoc>(
  {
    _id: { type: String, required: true },
    subject: { type: String, required: true },
    symptom: { type: String, required: true },
    active: { type: Boolean, required: true },
    since: { type: Date, required: true },
    notifiedBucket: { type: Number, required: true },
  },
  { versionKey: false, bufferCommands: false },
);
// fleet-health/src/stateful-alerts.ts:active: each detector run reads the open alerts.
schema.index({ active: 1 });

/** One detector's alerts: `COLLECTIONS.receiver.fleetAlerts` or `.bruteForceAlerts`. */
export function statefulAlertModel(conn: Connection, collection: string): Model<StatefulAlertDoc> {
  return conn.models[collection] ?? conn.model<StatefulAlertDoc>(collection, schema, collection);
}
