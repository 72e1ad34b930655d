#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=192
// Built entry point (npm run build); see src/main.ts.
//
// V8 flags (bench/results/receiver.md): peak RSS about 200 MB with V8's defaults under load, about
// 126 MB with these — a 2 × 8 MB young generation and an old space that is collected before it grows
// far past the live set (outbox and pending writes are bounded by the load limit). As with the
// heartbeat-server, `node bin/…` (the image) needs the same NODE_OPTIONS: docker/compose.yaml and
// deploy/k8s set them, and libs/deploy-checks fails when they drift from this line.
require('../dist/main.js').cli(process.argv.slice(2));
