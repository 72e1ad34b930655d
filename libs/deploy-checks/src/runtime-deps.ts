import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

/**
 * Every package an app loads at run time, found by following `require()` through its compiled
 * files and the workspace libs it uses, with the project whose package.json must declare it. A
 * package that some project requires but does not list in its own `dependencies` works in the
 * hoisted development tree and is missing from the image (`npm ci --omit=dev -w apps/<app>`).
 */
export function undeclaredRuntimeDeps(repoRoot: string, app: string): string[] {
  const projects = new Map<string, string>(); // package name → project dir
  for (const kind of ['libs', 'apps']) {
    for (const d of fs.readdirSync(path.join(repoRoot, kind))) {
      const pj = path.join(repoRoot, kind, d, 'package.json');
      if (fs.existsSync(pj)) projects.set(JSON.parse(fs.readFileSync(pj, 'utf8')).name, path.join(repoRoot, kind, d));
    }
  }
  const builtins = new Set(builtinModules);
  const problems = new Set<string>();
  const seen = new Set<string>();
  const todo: Array<{ file: string; project: string }> = [{ file: path.join(repoRoot, 'apps', app, 'dist', 'main.js'), project: path.join(repoRoot, 'apps', app) }];
  const declared = (project: string) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
    return new Set(Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies }));
  };
  while (todo.length) {
    const { file, project } = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!fs.existsSync(file)) {
      problems.add(`${path.relative(repoRoot, file)} is missing (run npx tsc -b)`);
      continue;
    }
    const deps = declared(project);
    const src = fs.readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) {
        const base = path.resolve(path.dirname(file), spec);
        const target = [base, `${base}.js`, path.join(base, 'index.js')].find((f) => fs.existsSync(f) && fs.statSync(f).isFile()) ?? `${base}.js`;
        todo.push({ file: target, project });
        continue;
      }
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (spec.startsWith('node:') || builtins.has(name)) continue;
      const where = path.relative(repoRoot, project);
      if (!deps.has(name)) problems.add(`${where} requires ${name} (${path.relative(repoRoot, file)}) but its package.json does not list it in dependencies`);
      const lib = projects.get(name);
      if (lib) {
        const main = JSON.parse(fs.readFileSync(path.join(lib, 'package.json'), 'utf8')).main ?? './dist/index.js';
        todo.push({ file: path.join(lib, main), project: lib });
      }
    }
  }
  return [...problems].sort();
}
