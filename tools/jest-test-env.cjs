// Jest setup (every project, see jest.preset.cjs): a suite run by hand (`npx jest …`) without the
// servers named in its environment talks to the test stack (tools/infra/test-stack.sh up, .run/test),
// never to `npm start`'s servers on the default ports that the suites' fallbacks name. With no test
// stack either, the servers point at a closed port: an integration suite fails fast instead.
const fs = require('node:fs');
const path = require('node:path');

const SERVERS = ['KAFKA_BROKERS', 'MONGO_URL', 'XMPP_SERVICE'];
if (SERVERS.every((k) => !process.env[k])) {
  const runDir = process.env.WATCHKEEPER_TEST_RUN_DIR ?? path.join(__dirname, '..', '.run', 'test');
  const file = path.join(runDir, 'env');
  if (fs.existsSync(file)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line.trim());
      if (m && process.env[m[1]] === undefined) process.env[m[1]] = m[2];
    }
    process.env.WATCHKEEPER_RUN_DIR ??= runDir;
  } else {
    Object.assign(process.env, { KAFKA_BROKERS: '127.0.0.1:9', MONGO_URL: 'mongodb://127.0.0.1:9', XMPP_SERVICE: 'xmpp://127.0.0.1:9' });
  }
}
