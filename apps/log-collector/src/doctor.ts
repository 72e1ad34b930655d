import { ReceiverClient, ReceiverRefused, reportOnce, runOnSchedule, type ReporterOptions, type Thresholds } from '@watchkeeper/host-doctor';
import * as fs from 'node:fs';
import express from 'express';
import { createLogger, createMetrics, listen, loadConfig, opsRouter, prom, UsageError, type Logger } from '@watchkeeper/runtime';
import { configSchema, type Config } from './config';

const VERSION = (require('../package.json') as { version: string }).version;

/**
 * `doctor`: this host's self-check reporter, in the collector's unit so a host installs one thing.
 *   doctor          run on the schedule (10 min after boot, then daily ± 30 min) until SIGTERM,
 *                   serving /healthz, /readyz, /metrics on LOG_COLLECTOR_PORT (its own container or unit)
 *   doctor --once   one report now (what the systemd timer starts); exit 0 when stored
 *   doctor --ping   bring-up: token, path and clock against the receiver; stores nothing
 */
export async function doctorCommand(argv: string[]): Promise<number> {
  const mode = argv.length === 0 ? 'schedule' : argv.length === 1 && argv[0] === '--once' ? 'once' : argv.length === 1 && argv[0] === '--ping' ? 'ping' : undefined;
  if (!mode) throw new UsageError(`unknown doctor arguments: ${argv.join(' ')}`);
  const config = loadConfig(configSchema);
  const logger = createLogger({ service: 'log-collector-doctor', level: config.LOG_LEVEL });
  const opts = reporterOptions(config, logger);
  if (mode === 'ping') return ping(opts);
  if (mode === 'once') return once(opts, logger);
  return schedule(opts, config, logger);
}

export function reporterOptions(config: Config, logger: Logger, signal?: AbortSignal): ReporterOptions {
  const token = config.DOCTOR_HOST_TOKEN ?? (config.DOCTOR_HOST_TOKEN_PATH ? readToken(config.DOCTOR_HOST_TOKEN_PATH) : undefined);
  if (!config.DOCTOR_RECEIVER_URL || !token) throw new UsageError('doctor needs DOCTOR_RECEIVER_URL and DOCTOR_HOST_TOKEN (or DOCTOR_HOST_TOKEN_PATH)');
  const collectorUrl = config.DOCTOR_COLLECTOR_URL ?? `http://127.0.0.1:${config.LOG_COLLECTOR_PORT}`;
  const thresholds: Thresholds = {
    diskPercent: config.DOCTOR_DISK_PERCENT,
    memoryPercent: config.DOCTOR_MEMORY_PERCENT,
    loadPerCpu: config.DOCTOR_LOAD_PER_CPU,
    clockOffsetMs: config.DOCTOR_CLOCK_OFFSET_MS,
    checkpointAgeMs: config.DOCTOR_CHECKPOINT_AGE_MS,
    heartbeatAnswerAgeMs: config.DOCTOR_HEARTBEAT_AGE_MS,
    failedUnits: config.DOCTOR_FAILED_UNITS,
  };
  return {
    host: config.LOG_COLLECTOR_HOST,
    client: new ReceiverClient({
      baseUrl: config.DOCTOR_RECEIVER_URL,
      host: config.LOG_COLLECTOR_HOST,
      token,
      attempts: config.DOCTOR_ATTEMPTS,
      backoff: { maxMs: config.DOCTOR_RETRY_MAX_MS },
      signal,
      onRetry: (r) => logger.warn(r, 'receiver call failed; retrying'),
    }),
    thresholds,
    ...(config.DOCTOR_MOUNTS ? { mounts: config.DOCTOR_MOUNTS } : {}),
    ...(collectorUrl !== 'off' ? { collectorUrl } : {}),
    ...(config.DOCTOR_HEARTBEAT_CLIENT_URL && config.DOCTOR_HEARTBEAT_CLIENT_URL !== 'off' ? { heartbeatClientUrl: config.DOCTOR_HEARTBEAT_CLIENT_URL } : {}),
    about: { reporter: `watchkeeper-log-collector doctor ${VERSION}`, node: process.version },
  };
}

function readToken(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new UsageError(`DOCTOR_HOST_TOKEN_PATH: cannot read this host's token from ${file}: ${(err as Error).message}`);
  }
}

async function ping(opts: ReporterOptions): Promise<number> {
  try {
    const p = await opts.client.ping();
    const offset = p.clock.serverTime - (p.clock.sentAt + p.clock.answeredAt) / 2;
    process.stdout.write(
      `${JSON.stringify({ ok: true, host: p.host, schemaVersion: p.schemaVersion, roundTripMs: p.clock.answeredAt - p.clock.sentAt, clockOffsetMs: Math.round(offset) })}\n`,
    );
    if (p.host !== opts.host) {
      process.stderr.write(`the token belongs to host ${p.host}, but this host reports as ${opts.host} (LOG_COLLECTOR_HOST)\n`);
      return 1;
    }
    return 0;
  } catch (err) {
    process.stderr.write(`ping failed: ${(err as Error).message}\n`);
    return err instanceof ReceiverRefused ? 2 : 1;
  }
}

async function once(opts: ReporterOptions, logger: Logger): Promise<number> {
  try {
    const r = await reportOnce(opts);
    logger.info({ receivedAt: r.receivedAt, checks: r.report.checks.map((c) => `${c.name}=${c.status}`) }, 'self-check report stored');
    process.stdout.write(`${JSON.stringify(r.report)}\n`);
    return 0;
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'self-check report not stored');
    return err instanceof ReceiverRefused ? 2 : 1;
  }
}

async function schedule(base: ReporterOptions, config: Config, logger: Logger): Promise<number> {
  const abort = new AbortController();
  const opts = reporterOptions(config, logger, abort.signal);
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => abort.abort());

  // Ops endpoints like every service's: the last run's outcome and check statuses for Prometheus.
  const registry = createMetrics('log-collector-doctor');
  const p = 'watchkeeper_doctor_';
  const lastRun = new prom.Gauge({ name: `${p}last_run_timestamp_seconds`, help: 'when the last report was attempted', registers: [registry] });
  const lastOk = new prom.Gauge({ name: `${p}last_run_stored`, help: '1 when the last report was stored by the receiver, 0 when not', registers: [registry] });
  const checks = new prom.Gauge({ name: `${p}checks`, help: 'checks of the last report by status', labelNames: ['status'], registers: [registry] });
  const app = express();
  app.use(opsRouter({ registry, checks: {}, isStopping: () => abort.signal.aborted }));
  const server = await listen(app, config.LOG_COLLECTOR_PORT, config.HTTP_HOST);

  logger.info({ host: base.host, port: server.port, receiver: config.DOCTOR_RECEIVER_URL, bootDelayMs: config.DOCTOR_BOOT_DELAY_MS, intervalMs: config.DOCTOR_INTERVAL_MS, jitterMs: config.DOCTOR_JITTER_MS }, 'doctor started');
  await runOnSchedule(opts, { bootDelayMs: config.DOCTOR_BOOT_DELAY_MS, intervalMs: config.DOCTOR_INTERVAL_MS, jitterMs: config.DOCTOR_JITTER_MS }, abort.signal, (r, nextInMs) => {
    lastRun.set(Date.now() / 1000);
    lastOk.set(r.ok ? 1 : 0);
    if (r.ok) {
      for (const status of ['ok', 'warning', 'critical', 'unknown'] as const) checks.set({ status }, r.report.checks.filter((c) => c.status === status).length);
      logger.info({ receivedAt: r.receivedAt, checks: r.report.checks.map((c) => `${c.name}=${c.status}`), nextInMs }, 'self-check report stored');
    } else logger.error({ err: r.error.message, nextInMs }, 'self-check report not stored');
  });
  await server.close();
  logger.info('doctor stopped');
  return 0;
}
