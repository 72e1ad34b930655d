import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Variables a deployment may set that no app schema reads because Node itself reads them. NODE_OPTIONS
 * carries the V8 flags of a bin's #! line: the image starts `node /app/service.js`, which ignores it.
 */
export const NODE_RUNTIME_VARS = new Set(['NODE_OPTIONS']);

/** The flags on the #! line of the app's bin (`#!/usr/bin/env -S node --a --b` → ['--a', '--b']). */
export function binNodeFlags(repoRoot: string, app: string): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'apps', app, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
  const bin = bins[0] ?? `bin/watchkeeper-${app}.js`;
  const first = fs.readFileSync(path.join(repoRoot, 'apps', app, bin), 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\s*\S*env\s+(?:-S\s+)?node(?:\s+(.*))?$/.exec(first.trim()) ?? /^#!\s*\S*\/node(?:\s+(.*))?$/.exec(first.trim());
  if (!m) throw new Error(`apps/${app}/${bin}: first line is not a node #! line: ${first}`);
  return (m[1] ?? '').split(/\s+/).filter(Boolean);
}

/**
 * One problem line when a deployment's NODE_OPTIONS (undefined: not set) does not carry exactly the
 * bin's flags, in any order; none when they agree (both empty included).
 */
export function nodeOptionsProblem(where: string, app: string, nodeOptions: string | undefined, binFlags: string[]): string | null {
  const got = (nodeOptions ?? '').split(/\s+/).filter(Boolean).sort();
  const want = [...binFlags].sort();
  if (got.join(' ') === want.join(' ')) return null;
  if (want.length === 0) return `${where}: NODE_OPTIONS="${nodeOptions}" but apps/${app}'s bin runs node without flags`;
  return `${where}: NODE_OPTIONS is ${nodeOptions === undefined ? 'not set' : `"${nodeOptions}"`}; apps/${app}'s bin runs node with "${binFlags.join(' ')}" (the image starts node without its #! line)`;
}
