import type { Logger } from './logger';

export interface Service {
  start(): Promise<void>;
  /** Stop intake, finish in-flight work, commit, disconnect. */
  stop(): Promise<void>;
  /** Optional: re-read configuration (SIGHUP). */
  reload?(): Promise<void>;
}

/**
 * Runs a service until SIGTERM/SIGINT, then stops it gracefully; a stop that takes longer than the
 * hard timeout exits non-zero rather than hang a rollout.
 */
export async function runService(service: Service, opts: { logger: Logger; shutdownTimeoutMs?: number }): Promise<void> {
  const { logger } = opts;
  const timeoutMs = opts.shutdownTimeoutMs ?? 25_000;
  let stopping = false;

  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'graceful shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    try {
      await service.stop();
      logger.info('stopped');
      logger.flush?.();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error while stopping');
      process.exit(1);
    }
  };

  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  if (service.reload) {
    process.on('SIGHUP', () => {
      logger.info('SIGHUP: reloading');
      service.reload!().catch((err) => logger.error({ err }, 'reload failed; keeping the previous configuration'));
    });
  }
  process.on('unhandledRejection', (err) => {
    logger.error({ err }, 'unhandled rejection');
  });

  try {
    await service.start();
  } catch (err) {
    logger.fatal({ err }, 'failed to start');
    await service.stop().catch(() => undefined);
    process.exit(1);
  }
}
