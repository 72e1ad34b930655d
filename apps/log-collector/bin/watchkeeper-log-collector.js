#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=256
// Built entry point (npm run build); see src/main.ts.
//
// V8 flags (bench/results/log-collector.md, file → Kafka, 1 M lines): peak RSS 279 MB with V8's
// defaults, 148 MB with a 2 × 4 MB young generation (events are short-lived: parsed, encoded, sent)
// and a 256 MB old space (room for `count` on large files, whose per-day state lives there). As with
// the heartbeat-server, `node bin/…` (the image) needs the same NODE_OPTIONS: docker/compose.yaml and
// deploy/k8s set them, and libs/deploy-checks fails when they drift from this line.
require('../dist/main.js').cli(process.argv.slice(2));
