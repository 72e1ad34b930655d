import { Schema, type Connection, type Model } from 'mongoose';
import type { SilenceMatcher, WeeklyWindow } from '@watchkeeper/contracts';
import { COLLECTIONS } from '../collections';

export interface SilenceDoc {
  _id: string;
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
  weekly?: WeeklyWindow;
  createdBy: string;
  comment: string;
  createdAt: Date;
  expiredBy?: string;
  expireComment?: string;
}

const schema = new Schema<SilenceDoc>(
  {
    _id: String,
    matchers: [{ _id: false, name: String, value: String, isRegex: Boolean, isEqual: Boolean }],
    startsAt: Date,
    endsAt: Date,
    weekly: { type: Schema.Types.Mixed },
    createdBy: String,
    comment: String,
    createdAt: Date,
    expiredBy: String,
    expireComment: String,
  },
  { versionKey: false, collection: COLLECTIONS.alertDispatcher.silences },
);
// alert-routing/src/silence-store.ts:loadCurrent and list: silences not yet ended ({ endsAt: { $gt: now } }).
schema.index({ endsAt: 1 });

export function silenceModel(conn: Connection): Model<SilenceDoc> {
  return conn.models.Silence ?? conn.model<SilenceDoc>('Silence', schema);
}
