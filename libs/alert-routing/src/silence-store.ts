import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { SilenceMatcher, type Silence, type SilenceCreateRequest, type SilenceExpireRequest } from '@watchkeeper/contracts';
import { silenceModel, type SilenceDoc } from '@watchkeeper/dal/alert-dispatcher';
import type { SilenceRule } from './silence-match';

export class SilenceNotFound extends Error {}

/** Silences in MongoDB: who created or expired each and why. Expiring sets the end to now; nothing is deleted. */
export class SilenceStore {
  readonly model: Model<SilenceDoc>;

  constructor(conn: Connection) {
    this.model = silenceModel(conn);
  }

  async create(req: SilenceCreateRequest, now = new Date()): Promise<Silence> {
    const matchers = req.matchers.map((m) => SilenceMatcher.parse(m));
    for (const m of matchers) if (m.isRegex) new RegExp(m.value); // throws SyntaxError on a bad pattern
    const doc: SilenceDoc = {
      _id: randomUUID(),
      matchers,
      startsAt: req.startsAt ? new Date(req.startsAt) : now,
      endsAt: new Date(req.endsAt),
      weekly: req.weekly,
      createdBy: req.createdBy,
      comment: req.comment,
      createdAt: now,
    };
    await this.model.create(doc);
    return toSilence(doc, now);
  }

  async expire(id: string, req: SilenceExpireRequest, now = new Date()): Promise<Silence> {
    const doc = await this.model.findById(id).lean<SilenceDoc>();
    if (!doc) throw new SilenceNotFound(`no silence ${id}`);
    if (doc.endsAt <= now) return toSilence(doc, now); // already over: keep the original record
    const set: Partial<SilenceDoc> = { endsAt: now, expiredBy: req.expiredBy, expireComment: req.comment };
    if (doc.startsAt > now) set.startsAt = now;
    await this.model.updateOne({ _id: id }, { $set: set });
    return toSilence({ ...doc, ...set }, now);
  }

  async list(opts: { includeExpired?: boolean } = {}, now = new Date()): Promise<Silence[]> {
    const filter = opts.includeExpired ? {} : { endsAt: { $gt: now } };
    const docs = await this.model.find(filter).sort({ createdAt: -1 }).limit(1000).lean<SilenceDoc[]>();
    return docs.map((d) => toSilence(d, now));
  }

  /** Silences that have not ended: what the dispatcher matches alerts against. */
  async loadCurrent(now = new Date()): Promise<SilenceRule[]> {
    const docs = await this.model.find({ endsAt: { $gt: now } }).lean<SilenceDoc[]>();
    return docs.map((d) => ({ id: d._id, matchers: d.matchers, startsAt: d.startsAt, endsAt: d.endsAt, weekly: d.weekly }));
  }
}

function toSilence(d: SilenceDoc, now: Date): Silence {
  const status = d.endsAt <= now ? 'expired' : d.startsAt > now ? 'pending' : 'active';
  return {
    id: d._id,
    matchers: d.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: !!m.isRegex, isEqual: m.isEqual !== false })),
    startsAt: d.startsAt.toISOString(),
    endsAt: d.endsAt.toISOString(),
    ...(d.weekly ? { weekly: d.weekly } : {}),
    createdBy: d.createdBy,
    comment: d.comment,
    createdAt: d.createdAt.toISOString(),
    ...(d.expiredBy ? { expiredBy: d.expiredBy } : {}),
    ...(d.expireComment ? { expireComment: d.expireComment } : {}),
    status,
  };
}
