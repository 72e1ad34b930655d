#!/usr/bin/env node
// Keeps TypeScript project references equal to the workspace's package.json dependencies, so
// `tsc -b` builds libs before their dependants (what `nx sync` does, without the daemon).
// Writes only files whose references changed; --check exits 1 instead of writing.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const check = process.argv.includes('--check');
const projects = ['libs', 'apps'].flatMap((kind) =>
  fs.existsSync(path.join(root, kind))
    ? fs.readdirSync(path.join(root, kind)).map((d) => `${kind}/${d}`).filter((p) => fs.existsSync(path.join(root, p, 'tsconfig.lib.json')))
    : [],
);
const byName = new Map(projects.map((p) => [JSON.parse(fs.readFileSync(path.join(root, p, 'package.json'), 'utf8')).name, p]));
let stale = [];

function update(file, refs) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const next = refs.map((r) => ({ path: r }));
  if (JSON.stringify(json.references ?? []) === JSON.stringify(next)) return;
  stale.push(path.relative(root, file));
  if (!check) fs.writeFileSync(file, JSON.stringify({ ...json, references: next }, null, 2) + '\n');
}

for (const p of projects) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, p, 'package.json'), 'utf8'));
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) => byName.has(d)).sort();
  update(path.join(root, p, 'tsconfig.lib.json'), deps.map((d) => `../../${byName.get(d)}/tsconfig.lib.json`));
}
update(path.join(root, 'tsconfig.json'), projects.map((p) => `./${p}/tsconfig.lib.json`));

if (stale.length) console.error(`${check ? 'stale' : 'updated'} project references: ${stale.join(', ')}`);
process.exit(check && stale.length ? 1 : 0);
