#!/usr/bin/env node
// Built entry point (npm run build); see src/main.ts.
require('../dist/main.js').cli(process.argv.slice(2));
