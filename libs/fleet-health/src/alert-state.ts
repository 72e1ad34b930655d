import { Schema, type Connection, type Model } from 'mongoose';

/**
 * An open stateful alert raised by this service, one document per (subject, symptom). Released alerts
 * are deleted, so the collection holds active state only and its size never grows with history (the
 * alerts themselves are kept by the alert-dispatcher's history). `active` is always true in documents
 * written since; older releases left `active: false` documents (`migrate-alert-state` removes them).
 */
export interface AlertStateDoc {
  _id: string;
  /** Host name or source address the alert is about. */
  subject: string;
  symptom: string;
  active: boolean;
  since: Date;
  /** Hour bucket (ms since epoch / 3 600 000) of the last trigger sent: one notification per hour at most. */
  notifiedBucket: number;
}

const schema = new Schema<AlertStateDoc>(
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
// Serves: each run reads the open alerts.
schema.index({ active: 1 });

export function alertStateModel(conn: Connection, collection: string): Model<AlertStateDoc> {
  return conn.models[collection] ?? conn.model<AlertStateDoc>(collection, schema, collection);
}

export const hourBucket = (at: Date): number => Math.floor(at.getTime() / 3_600_000);

/**
 * One-shot upgrade step: deletes the released alerts earlier releases kept (`active: false`) in these
 * collections; every periodic run read them whole on FerretDB. Idempotent: a second run deletes nothing.
 */
export async function deleteReleasedAlerts(conn: Connection, collections: string[]): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const name of collections) deleted[name] = (await alertStateModel(conn, name).deleteMany({ active: { $ne: true } })).deletedCount ?? 0;
  return deleted;
}
