import { Schema, type Connection, type Model } from 'mongoose';
import { replaceAllById } from '@watchkeeper/mongo';
import type { AlertState } from './transition';

type AlertStateDoc = Omit<AlertState, 'fingerprint'> & { _id: string };

const stateSchema = new Schema<AlertStateDoc>(
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
  { versionKey: false, collection: 'alert_states', minimize: false },
);
// Serves active(): the firing alerts.
stateSchema.index({ status: 1 });

/** Stateful alerts by fingerprint. Only this consumer's partition owner writes a fingerprint, so plain replaces are safe. */
export class AlertStateStore {
  readonly model: Model<AlertStateDoc>;

  constructor(conn: Connection) {
    this.model = conn.models.AlertState ?? conn.model<AlertStateDoc>('AlertState', stateSchema);
  }

  async load(fingerprints: string[]): Promise<Map<string, AlertState>> {
    const out = new Map<string, AlertState>();
    if (fingerprints.length === 0) return out;
    const docs = await this.model.find({ _id: { $in: fingerprints } }).lean<AlertStateDoc[]>();
    for (const d of docs) out.set(d._id, fromDoc(d));
    return out;
  }

  async saveMany(states: AlertState[]): Promise<void> {
    if (states.length === 0) return;
    await replaceAllById(
      this.model,
      states.map(({ fingerprint, ...rest }) => ({ _id: fingerprint, ...rest })),
    );
  }

  async active(limit = 1000): Promise<AlertState[]> {
    const docs = await this.model.find({ status: 'firing' }).sort({ startsAt: -1 }).limit(limit).lean<AlertStateDoc[]>();
    return docs.map(fromDoc);
  }
}

function fromDoc(d: AlertStateDoc): AlertState {
  const { _id, ...rest } = d;
  const out = { fingerprint: _id, ...rest } as AlertState;
  for (const k of Object.keys(out) as Array<keyof AlertState>) if (out[k] === null) delete out[k];
  return out;
}
