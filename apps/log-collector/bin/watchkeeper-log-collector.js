#!/usr/bin/env -S node --max-semi-space-size=2 --max-old-space-size=256
// Built entry point (npm run build); see src/main.ts.
//
// V8 flags (their figures: bench/results/log-collector.md, file → Kafka): a small young generation,
// which the kafkajs thread shares (V8 flags apply to every thread's heap), since the events are
// short-lived (parsed, encoded, sent) and V8's default one more than doubles peak RSS; a 256 MB old
// space leaves room for `count` on large files, whose per-day state lives there. As with
// the heartbeat-server, `node bin/…` (the image) needs the same NODE_OPTIONS: docker/compose.yaml and
// deploy/k8s set them, and libs/deploy-checks fails when they drift from this line.
require('../dist/main.js').cli(process.argv.slice(2));
