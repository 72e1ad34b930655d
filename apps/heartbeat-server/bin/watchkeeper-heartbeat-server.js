#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=256
// Built entry point (npm run build); see src/main.ts.
//
// V8 flags, measured with 2,000 listeners (bench/results/heartbeat.md); about 30 MB of live heap:
// - --max-old-space-size=256: with V8's default limit (~4 GB on a 24 GB machine) the old generation may
//   grow to 4× its live size between full collections, and the round's promoted garbage (answers,
//   statuses, Kafka batches) piled up to 50–80 MB; under a 256 MB limit the growth factor is 2×, old
//   space stays near 40 MB. 256 MB still holds the full Kafka outbox (50,000 statuses) with room to
//   spare; a real leak would end in an out-of-memory exit, not be hidden.
// - --max-semi-space-size=8: a 2 × 8 MB young generation instead of 2 × 16 MB, of which under 8 MB is
//   live. (4 MB was tried: more was promoted and the old space grew instead.)
// They apply when this file is executed (npx, the npm bin link, Nagios); `node bin/…` (e.g. the Docker
// ENTRYPOINT) needs NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=256" instead: docker/compose.yaml
// and deploy/k8s set it, and libs/deploy-checks fails when they drift from this line.
require('../dist/main.js').cli(process.argv.slice(2));
