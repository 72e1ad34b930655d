import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

/**
 * A stateful alert by fingerprint (`_id`). The fields are alert-state's `AlertState` (which the
 * store passes as `D`) without its fingerprint.
 */
export interface AlertStateRecord {
  _id: string;
  status: 'firing' | 'resolved';
  startsAt: Date;
}

const schema = new Schema(
  {
    _id: String,
    status: String,
    alertId: String,
    type: String,
    entity: { _id: false, kind: String, id: String },
    labels: { type: Schema.Types.Mixed, default: {} },
    severity: String,
    summary: String,
    description: String,
    source: String,
    category: String,
    startsAt: Date,
    lastTriggeredAt: Date,
    lastNotifiedAt: Date,
    triggerCount: Number,
    resolvedAt: Date,
    durationMs: Number,
    applied: { _id: false, partition: Number, offset: String },
  },
  { versionKey: false, collection: COLLECTIONS.alertDispatcher.alertStates, minimize: false },
);
// alert-state/src/state-store.ts:active: the firing alerts ({ status: 'firing' }, newest first).
schema.index({ status: 1 });

export function alertStateModel<D extends AlertStateRecord>(conn: Connection): Model<D> {
  return (conn.models.AlertState as Model<D> | undefined) ?? conn.model<D>('AlertState', schema as unknown as Schema<D>);
}
