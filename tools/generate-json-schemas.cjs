#!/usr/bin/env node
// Writes libs/contracts/schemas/*.schema.json from the zod contracts (run `npm run contracts:schemas`).
const fs = require('node:fs');
const path = require('node:path');
const { renderJsonSchemas } = require('../libs/contracts/dist/index.js');

const dir = path.join(__dirname, '../libs/contracts/schemas');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
for (const [file, text] of Object.entries(renderJsonSchemas())) fs.writeFileSync(path.join(dir, file), text);
console.log(`wrote ${fs.readdirSync(dir).length} schemas to ${path.relative(process.cwd(), dir)}`);
