import type { Connection, Model } from 'mongoose';
import { alertStateModel } from '@watchkeeper/dal/alert-dispatcher';
import { replaceAllById } from '@watchkeeper/mongo';
import type { AlertState } from './transition';

type AlertStateDoc = Omit<AlertState, 'fingerprint'> & { _id: string };

/** Stateful alerts by fingerprint. Only this consumer's partition owner writes a fingerprint, so plain replaces are safe. */
export class AlertStateStore {
  readonly model: Model<AlertStateDoc>;

  constructor(conn: Connection) {
    this.model = alertStateModel<AlertStateDoc>(conn);
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
