#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=256
// Built entry point (npm run build); see src/main.ts. V8 flags on the #! line cap young-generation (semi-space 8 MB)
// and old-space growth, which keeps RSS down under bursts; equivalent: NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=256".
require('../dist/main.js').cli(process.argv.slice(2));
