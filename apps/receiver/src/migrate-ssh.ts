import { connectMongo } from '@watchkeeper/mongo';
import type { Logger } from '@watchkeeper/runtime';
import { migrateLegacySshEvents, SshEventStore } from '@watchkeeper/ssh-stats-store';
import type { Config } from './config';

/**
 * `watchkeeper-receiver migrate-ssh`: the SSH statistics of earlier releases (every event in one
 * `ssh_events` collection) moved into the day-state store, with the receiver's own configuration.
 * Idempotent; the running receiver may consume at the same time (an event stored by both counts once).
 */
export async function migrateSsh(config: Config, logger: Logger): Promise<{ read: number; applied: number }> {
  const conn = await connectMongo({ url: config.MONGO_URL, dbName: config.RECEIVER_MONGO_DB, logger, serverSelectionTimeoutMS: 5000 });
  try {
    const store = new SshEventStore(conn.useDb(`${config.RECEIVER_MONGO_DB}_ssh`, { useCache: true }), { timeZone: config.SSH_STATS_TZ, retentionDays: config.SSH_RAW_RETENTION_DAYS });
    await store.init();
    const result = await migrateLegacySshEvents(conn, store, { onProgress: (read, applied) => logger.info({ read, applied }, 'migrating ssh_events') });
    logger.info(result, 'ssh_events migrated');
    return result;
  } finally {
    await conn.close();
  }
}
