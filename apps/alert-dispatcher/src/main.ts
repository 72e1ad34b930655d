import { connectMongo } from '@watchkeeper/mongo';
import { createLogger, createMetrics, loadConfig, runCli, runService, UsageError } from '@watchkeeper/runtime';
import { loadRoutingConfig, RoutingConfigError, RoutingTable } from '@watchkeeper/alert-routing';
import { migrateHistory } from '@watchkeeper/alert-dispatch';
import { DeliveryStore } from '@watchkeeper/delivery-queue';
import { createApp } from './app';
import { configSchema, replayConfigSchema, usage } from './config';

/** Wiring only: config → logger/metrics → routing file (a bad one stops here, with line and reason) → app. */
async function serve(): Promise<void> {
  const config = loadConfig(configSchema);
  const logger = createLogger({ service: 'alert-dispatcher', level: config.LOG_LEVEL });
  const registry = createMetrics('alert-dispatcher');
  const routing = new RoutingTable(config.ALERT_DISPATCHER_ROUTING_FILE);
  await runService(createApp({ config, logger, registry, routing }), { logger });
}

async function replayDeadLetters(argv: string[]): Promise<number> {
  const config = loadConfig(replayConfigSchema);
  const logger = createLogger({ service: 'alert-dispatcher', level: config.LOG_LEVEL });
  const ids: string[] = [];
  let recipient: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--recipient') recipient = argv[++i];
    else if (argv[i] === '--id') ids.push(argv[++i]);
    else throw new UsageError(`unknown argument ${argv[i]}`);
  }
  const conn = await connectMongo({ url: config.MONGO_URL, dbName: config.ALERT_DISPATCHER_MONGO_DB, logger });
  try {
    const n = (await new DeliveryStore(conn).replayDeadLetters({ recipient, ids: ids.length ? ids : undefined })).length;
    process.stdout.write(`replayed ${n} dead-lettered notification(s); running dispatchers pick them up within a second\n`);
    return 0;
  } finally {
    await conn.close();
  }
}

/** One-shot: history and delivery log of earlier releases into per-day collections (idempotent; dispatchers stopped). */
async function migrateHistoryCommand(argv: string[]): Promise<number> {
  if (argv.length > 0) throw new UsageError(`unknown argument ${argv[0]}`);
  const config = loadConfig(replayConfigSchema);
  const logger = createLogger({ service: 'alert-dispatcher', level: config.LOG_LEVEL });
  const conn = await connectMongo({ url: config.MONGO_URL, dbName: config.ALERT_DISPATCHER_MONGO_DB, logger });
  try {
    const r = await migrateHistory(conn, (batches) => logger.info({ batches }, 'moving history batches'));
    process.stdout.write(`moved ${r.batches} history batch(es) and ${r.digests} delivery digest(s) into per-day collections; renamed the batch of ${r.segments} queue segment(s) and ${r.pending} pending mark(s)\n`);
    return 0;
  } finally {
    await conn.close();
  }
}

function checkConfig(argv: string[]): number {
  const file = argv[0] ?? loadConfig(configSchema.pick({ ALERT_DISPATCHER_ROUTING_FILE: true })).ALERT_DISPATCHER_ROUTING_FILE;
  const cfg = loadRoutingConfig(file);
  process.stdout.write(`${file}: ok (${cfg.recipients.size} recipients, ${cfg.pools.length} pools)\n`);
  return 0;
}

async function main(argv: string[]): Promise<number | void> {
  try {
    if (argv[0] === 'replay-dead-letters') return await replayDeadLetters(argv.slice(1));
    if (argv[0] === 'check-config') return checkConfig(argv.slice(1));
    if (argv[0] === 'migrate-history') return await migrateHistoryCommand(argv.slice(1));
    if (argv.length > 0) throw new UsageError(`unknown command ${argv[0]}`);
    await serve();
  } catch (err) {
    if (err instanceof RoutingConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 78; // EX_CONFIG, like a bad environment
    }
    throw err;
  }
}

export function cli(argv: string[]): void {
  void runCli(usage, argv, main);
}
