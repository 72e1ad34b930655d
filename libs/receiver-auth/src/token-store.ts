import type { Connection, Model } from 'mongoose';
import type { TokenCreated, TokenInfo } from '@watchkeeper/contracts';
import { hostTokenModel, retiredHostModel, type HostTokenDoc, type RetiredHostDoc } from '@watchkeeper/dal/receiver';
import { isDuplicateKey } from '@watchkeeper/mongo';
import { digestsEqual, hashSecret, newToken, parseToken } from './secrets';

/** Two active tokens per host: the current one and its successor while the host switches over. */
export const MAX_ACTIVE_TOKENS = 2;

export class TooManyTokens extends Error {
  override name = 'TooManyTokens';
}

/**
 * Per-host bearer tokens, stored hashed. Verified tokens are cached for `cacheMs` so a busy host
 * does not cost a database read per request; a revocation through this store takes effect at once
 * here and within `cacheMs` on other instances.
 */
export class HostTokenStore {
  readonly model: Model<HostTokenDoc>;
  readonly retired: Model<RetiredHostDoc>;
  private retiredCache?: { hosts: ReadonlySet<string>; until: number };
  private readonly cache = new Map<string, { doc: HostTokenDoc; until: number }>();
  /** Lookups in flight: concurrent requests with one token share one database read. */
  private readonly loading = new Map<string, Promise<HostTokenDoc | null>>();

  constructor(conn: Connection, private readonly opts: { cacheMs?: number; now?: () => number } = {}) {
    this.model = hostTokenModel(conn);
    this.retired = retiredHostModel(conn);
  }

  async create(host: string, label?: string): Promise<TokenCreated> {
    const { tokenId, secret, token } = newToken();
    const createdAt = new Date();
    for (let slot = 0; slot < MAX_ACTIVE_TOKENS; slot++) {
      try {
        await this.model.create({ _id: tokenId, host, hash: hashSecret(secret), slot: `${host}#${slot}`, label, createdAt });
        // A new token brings a retired host back.
        if ((await this.retired.deleteOne({ _id: host })).deletedCount) this.retiredCache = undefined;
        return { ...info({ _id: tokenId, host, label, createdAt } as HostTokenDoc), token };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    throw new TooManyTokens(`host ${host} already has ${MAX_ACTIVE_TOKENS} active tokens; revoke one first`);
  }

  async list(host: string): Promise<TokenInfo[]> {
    const docs = await this.model.find({ host }).sort({ createdAt: 1 }).lean();
    return docs.map(info);
  }

  /** Every host that was ever issued a token (the collection holds a few documents per host). */
  async hosts(): Promise<string[]> {
    const docs = await this.model.find({}, { host: 1 }).lean();
    return [...new Set(docs.map((d) => d.host))].sort();
  }

  /** Revokes a token of this host; undefined when the host has no such token. Revoking twice is a no-op. */
  async revoke(host: string, tokenId: string): Promise<TokenInfo | undefined> {
    this.cache.delete(tokenId);
    const doc = await this.model.findOne({ _id: tokenId, host }).lean();
    if (!doc) return undefined;
    if (doc.revokedAt) return info(doc);
    const revokedAt = new Date();
    await this.model.updateOne({ _id: tokenId, revokedAt: { $exists: false } }, { $set: { revokedAt, slot: `revoked#${tokenId}` } });
    this.cache.delete(tokenId);
    return info({ ...doc, revokedAt });
  }

  /**
   * Retires a host: revokes every active token and records the retirement (readers of the fleet
   * skip retired hosts). Idempotent; the first retirement's time is kept.
   */
  async retire(host: string, at: Date): Promise<{ retiredAt: Date; tokensRevoked: number }> {
    let tokensRevoked = 0;
    for (const t of await this.model.find({ host, revokedAt: { $exists: false } }, { _id: 1 }).lean()) {
      const before = await this.revoke(host, t._id);
      if (before) tokensRevoked++;
    }
    await this.retired.updateOne({ _id: host }, { $setOnInsert: { retiredAt: at } }, { upsert: true });
    this.retiredCache = undefined;
    const doc = await this.retired.findById(host).lean();
    return { retiredAt: doc?.retiredAt ?? at, tokensRevoked };
  }

  async retiredList(): Promise<Array<{ host: string; retiredAt: Date }>> {
    return (await this.retired.find().sort({ _id: 1 }).lean()).map((d) => ({ host: d._id, retiredAt: d.retiredAt }));
  }

  /** Retired hosts, cached for the token cache time (the list is small: read whole). */
  async retiredHosts(): Promise<ReadonlySet<string>> {
    const now = (this.opts.now ?? Date.now)();
    if (this.retiredCache && this.retiredCache.until > now) return this.retiredCache.hosts;
    const hosts = new Set((await this.retired.find({}, { _id: 1 }).lean()).map((d) => d._id));
    this.retiredCache = { hosts, until: now + (this.opts.cacheMs ?? 5000) };
    return hosts;
  }

  /** The host a bearer token belongs to, or undefined for a malformed, unknown, wrong or revoked token. */
  async verify(token: string): Promise<{ host: string; tokenId: string } | undefined> {
    const parsed = parseToken(token);
    if (!parsed) return undefined;
    const now = (this.opts.now ?? Date.now)();
    let entry = this.cache.get(parsed.tokenId);
    if (!entry || entry.until < now) {
      let load = this.loading.get(parsed.tokenId);
      if (!load) {
        load = this.model.findById(parsed.tokenId).lean().finally(() => this.loading.delete(parsed.tokenId));
        this.loading.set(parsed.tokenId, load);
      }
      const doc = await load;
      if (!doc) {
        this.cache.delete(parsed.tokenId);
        return undefined;
      }
      entry = { doc, until: now + (this.opts.cacheMs ?? 5000) };
      this.cache.set(parsed.tokenId, entry);
    }
    const { doc } = entry;
    if (doc.revokedAt || !digestsEqual(hashSecret(parsed.secret), doc.hash)) return undefined;
    return { host: doc.host, tokenId: doc._id };
  }
}

function info(doc: HostTokenDoc): TokenInfo {
  return {
    tokenId: doc._id,
    host: doc.host,
    ...(doc.label !== undefined && doc.label !== null ? { label: doc.label } : {}),
    createdAt: doc.createdAt.toISOString(),
    ...(doc.revokedAt ? { revokedAt: doc.revokedAt.toISOString() } : {}),
  };
}
