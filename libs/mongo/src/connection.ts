import mongoose, { type Connection, type Model } from 'mongoose';
import type { Logger } from '@watchkeeper/runtime';

/**
 * One connection per service. autoIndex is off: indexes are built explicitly at start by
 * `ensureIndexes`, so a deploy fails fast on an index it cannot build instead of building it lazily.
 * Only features that both MongoDB 7+ and FerretDB 1.x support are used (see docs/operations.md).
 */
export async function connectMongo(opts: {
  url: string;
  dbName: string;
  logger: Logger;
  serverSelectionTimeoutMS?: number;
  /**
   * Driver-side limit for every operation, from connection checkout to the answer (the driver's
   * client-side operation timeout, `timeoutMS`; it also sends maxTimeMS): a stuck server then fails
   * an operation with MongoOperationTimeoutError instead of hanging it. Unset: no limit.
   */
  timeoutMS?: number;
}): Promise<Connection> {
  const conn = mongoose.createConnection(opts.url, {
    dbName: opts.dbName,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 5000,
    maxPoolSize: 20,
    ...(opts.timeoutMS ? { timeoutMS: opts.timeoutMS } : {}),
  });
  conn.on('disconnected', () => opts.logger.warn({ db: opts.dbName }, 'mongodb disconnected'));
  conn.on('reconnected', () => opts.logger.info({ db: opts.dbName }, 'mongodb reconnected'));
  await conn.asPromise();
  return conn;
}

/** Builds every index the models declare (createIndexes is a no-op for ones that exist). */
export async function ensureIndexes(models: Array<Model<any>>): Promise<void> {
  for (const model of models) {
    await model.createCollection().catch((err: { codeName?: string; code?: number }) => {
      if (err.codeName !== 'NamespaceExists' && err.code !== 48) throw err;
    });
    await model.createIndexes();
  }
}

/** Readiness: the server answers a ping. */
export async function mongoPing(conn: Connection): Promise<boolean> {
  if (conn.readyState !== 1 || !conn.db) return false;
  await conn.db.admin().ping();
  return true;
}

/** Duplicate-key error (unique index): the write was already done, which idempotent consumers treat as success. */
export function isDuplicateKey(err: unknown): boolean {
  return duplicateKeyIndexes(err) !== undefined;
}

/**
 * For a write (insertMany with ordered: false included) that failed on duplicate keys only: the index
 * of each duplicate document in the batch (undefined where the error does not say). Undefined when
 * any other error is among them, which the caller rethrows.
 */
export function duplicateKeyIndexes(err: unknown): Array<number | undefined> | undefined {
  type W = { code?: number; index?: number; err?: { code?: number; index?: number } };
  const e = err as W & { writeErrors?: W[] };
  const errors: W[] = e.writeErrors ?? (e.code !== undefined ? [e] : []);
  if (errors.length === 0 || !errors.every((w) => (w.code ?? w.err?.code) === 11000)) return undefined;
  return errors.map((w) => w.index ?? w.err?.index);
}
