#!/usr/bin/env node
// The local stack's foreground process (`npm start` → tools/dev-stack.sh): starts all services against
// the infrastructure tools/infra started, prints where everything is, and stops it all on Ctrl-C/SIGTERM.
const path = require('node:path');
const { startLocalStack } = require('./local-stack.cjs');

async function main() {
  const stack = await startLocalStack();
  const r = `http://127.0.0.1:${stack.ports.receiver}`;
  console.log(`
Watchkeeper is running.
  dashboard         ${r}/
  API docs          ${r}/docs   (OpenAPI: ${r}/openapi.json)
  heartbeat-server  http://127.0.0.1:${stack.ports.heartbeatServer}/v1/listeners
  alert-dispatcher  http://127.0.0.1:${stack.ports.alertDispatcher}/v1/alerts
  admin token       ${stack.tokens.WATCHKEEPER_ADMIN_TOKEN}
                    (also in ${path.relative(process.cwd(), path.join(stack.logDir, '../tokens.env'))})
  sample auth.log   ${stack.sampleLog}  (append sshd lines to see them counted)
  host reporter     sample-host's self-checks: first report now, then every 10 min (log: host-reporter.log)
  service logs      ${stack.logDir}/
  nagios check      npx watchkeeper-heartbeat-server check
Press Ctrl-C to stop everything.`);
  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping services…`);
    await stack.stop();
    console.log('services stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(`npm start failed: ${err.message}`);
  process.exit(1);
});
