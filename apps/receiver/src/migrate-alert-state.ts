import { COLLECTIONS } from '@watchkeeper/dal';
import { deleteReleasedAlerts } from '@watchkeeper/fleet-health';
import { connectMongo } from '@watchkeeper/mongo';
import type { Logger } from '@watchkeeper/runtime';
import type { Config } from './config';

/**
 * `watchkeeper-receiver migrate-alert-state`: removes the released fleet-health and brute-force alerts
 * that earlier releases kept, so those collections hold open alerts only (the periodic jobs read them).
 * Idempotent; safe while the receiver runs (it deletes only released alerts, which it never reads).
 */
export async function migrateAlertState(config: Config, logger: Logger): Promise<Record<string, number>> {
  const conn = await connectMongo({ url: config.MONGO_URL, dbName: config.RECEIVER_MONGO_DB, logger, serverSelectionTimeoutMS: 5000 });
  try {
    const deleted = await deleteReleasedAlerts(conn, [COLLECTIONS.receiver.fleetAlerts, COLLECTIONS.receiver.bruteForceAlerts]);
    logger.info({ deleted }, 'released alerts removed');
    return deleted;
  } finally {
    await conn.close();
  }
}
