#!/usr/bin/env node
// Container HEALTHCHECK: GET /healthz on the port the service itself listens on. The port variable
// is <APP>_PORT (RECEIVER_PORT, …) and its default comes from the app's own config schema, so the
// check follows the code instead of repeating a number. Exit 0 healthy, 1 not.
const fs = require('node:fs');
const path = require('node:path');

const root = process.env.WK_APP_ROOT || __dirname;
const app = process.env.WK_APP || fs.readFileSync(path.join(root, 'APP'), 'utf8').trim();
const portVar = `${app.toUpperCase().replace(/-/g, '_')}_PORT`;
const { configSchema } = require(path.join(root, 'apps', app, 'dist', 'config.js'));
const field = configSchema.shape[portVar];
if (!field) {
  console.error(`healthcheck: ${portVar} is not in ${app}'s config schema`);
  process.exit(1);
}
const raw = process.env[portVar];
const port = field.parse(raw === '' ? undefined : raw);

fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2500) })
  .then((res) => {
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    process.exit(0);
  })
  .catch((err) => {
    console.error(`healthcheck: http://127.0.0.1:${port}/healthz: ${err.cause?.code ?? err.message}`);
    process.exit(1);
  });
