import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from '@watchkeeper/runtime';

export const repo = join(__dirname, '../../..');
const run = promisify(execFile);

export { freePort, waitFor };

/** A Prosody of this suite's own (tools/infra/prosody.sh with its own port and run dir), so stopping it hurts no one. */
export async function privateProsody() {
  const port = await freePort();
  const sharedRunDir = process.env.WATCHKEEPER_RUN_DIR ?? join(repo, '.run');
  const runDir = mkdtempSync(join(tmpdir(), 'wk-hb-prosody-'));
  const env: NodeJS.ProcessEnv = { ...process.env, XMPP_PORT: String(port), WATCHKEEPER_RUN_DIR: runDir, ...sharedTls(sharedRunDir) };
  delete env.XMPP_SERVICE; // an exported XMPP_SERVICE would make the script treat Prosody as external
  const script = join(repo, 'tools/infra/prosody.sh');
  const ctl = async (...args: string[]) => run('bash', [script, ...args], { env, timeout: 60_000 });
  return { port, runDir, service: `xmpp://127.0.0.1:${port}`, start: () => ctl('start'), stop: () => ctl('stop'), adduser: (u: string, p: string) => ctl('adduser', u, p) };
}

/**
 * STARTTLS with the shared Prosody's certificate, which this process trusts (NODE_EXTRA_CA_CERTS from
 * .run/env, read at start: a new certificate could not be trusted now); no TLS when there is none.
 */
function sharedTls(sharedRunDir: string): NodeJS.ProcessEnv {
  const certs = join(sharedRunDir, 'prosody', 'certs');
  const trusted = process.env.NODE_EXTRA_CA_CERTS && existsSync(join(certs, `${process.env.XMPP_DOMAIN ?? 'localhost'}.crt`));
  return trusted ? { XMPP_TLS_CERT_DIR: certs, XMPP_STARTTLS: 'on' } : { XMPP_STARTTLS: 'off' };
}

/** Builds the two apps' dist (incremental, quick when up to date): the tests run the real bins. */
export async function buildApps(): Promise<void> {
  await run('npx', ['tsc', '-b', 'apps/heartbeat-server', 'apps/heartbeat-client'], { cwd: repo, timeout: 180_000 });
}

export function startClient(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(repo, 'apps/heartbeat-client/bin/watchkeeper-heartbeat-client.js')], {
    env: { ...process.env, HEARTBEAT_CLIENT_PORT: '0', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

export async function runCheckCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repo, 'apps/heartbeat-server/bin/watchkeeper-heartbeat-server.js'), 'check', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out: out.trim() }));
  });
}

/**
 * A Kafka broker of this suite's own (tools/infra/kafka.sh with its own ports and run dir), so stopping
 * it hurts no one; the shared broker on 9092 is never touched.
 */
export async function privateKafka() {
  const port = await freePort();
  const controllerPort = await freePort();
  const runDir = mkdtempSync(join(tmpdir(), 'wk-hb-kafka-'));
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), WATCHKEEPER_RUN_DIR: runDir, WATCHKEEPER_MANAGED: 'kafka' };
  delete env.KAFKA_BROKERS; // a set KAFKA_BROKERS means "external cluster" to the script
  const script = join(repo, 'tools/infra/kafka.sh');
  const ctl = async (cmd: 'start' | 'stop') => run('bash', [script, cmd], { env, timeout: 180_000 });
  return { port, runDir, brokers: `127.0.0.1:${port}`, start: () => ctl('start'), stop: () => ctl('stop') };
}
