import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface NetrcEntry {
  machine: string | null;
  login?: string;
  password?: string;
  account?: string;
}

/** Parses .netrc text (machine/default/login/password/account; macdef bodies are skipped). */
export function parseNetrc(text: string): NetrcEntry[] {
  const entries: NetrcEntry[] = [];
  const lines = text.split(/\r?\n/);
  let current: NetrcEntry | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*#/.test(line)) continue;
    const tokens = line.trim().split(/\s+/).filter(Boolean);
    for (let t = 0; t < tokens.length; t++) {
      const tok = tokens[t];
      if (tok === 'machine') {
        current = { machine: tokens[++t] ?? '' };
        entries.push(current);
      } else if (tok === 'default') {
        current = { machine: null };
        entries.push(current);
      } else if (tok === 'macdef') {
        // A macro body runs to the next blank line.
        while (i + 1 < lines.length && lines[i + 1].trim() !== '') i++;
        t = tokens.length;
      } else if (current && (tok === 'login' || tok === 'password' || tok === 'account')) {
        current[tok] = tokens[++t];
      }
    }
  }
  return entries;
}

export function defaultNetrcPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.NETRC ?? join(homedir(), '.netrc');
}

/** The entry for `machine` (exact), else the `default` entry, else null. Missing file → null. */
export function netrcLookup(machine: string, path: string): NetrcEntry | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const entries = parseNetrc(text);
  return entries.find((e) => e.machine === machine) ?? entries.find((e) => e.machine === null) ?? null;
}
