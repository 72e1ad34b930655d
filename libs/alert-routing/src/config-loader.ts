import * as fs from 'node:fs';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { resolveConfig, RoutingConfigSchema, type RoutingConfig } from './config-schema';

/** A routing file that cannot be used: names the file, the line and the reason of every problem. */
export class RoutingConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Array<{ line: number; column: number; path: string; reason: string }>,
  ) {
    super(`invalid routing config ${file}:\n  ${problems.map((p) => `line ${p.line}, col ${p.column}${p.path ? ` (${p.path})` : ''}: ${p.reason}`).join('\n  ')}`);
    this.name = 'RoutingConfigError';
  }
}

/** Parses YAML (or JSON, which is YAML) and validates it; errors point at the line of the bad value. */
export function parseRoutingConfig(text: string, file = '<routing config>'): RoutingConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RoutingConfigError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, path: '', reason: e.message.split('\n')[0] };
      }),
    );
  }
  const result = RoutingConfigSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    throw new RoutingConfigError(
      file,
      result.error.issues.map((issue) => {
        const path = issue.path.map(String);
        const at = issue.path as Array<string | number>;
        // An unknown key is reported on its object; point at the key itself.
        const offset = issue.code === 'unrecognized_keys' ? keyOffset(doc, at, issue.keys[0]) ?? offsetOf(doc, at) : offsetOf(doc, at);
        const pos = lineCounter.linePos(offset);
        return { line: pos.line, column: pos.col, path: path.join('.'), reason: issue.message };
      }),
    );
  }
  return resolveConfig(result.data, file);
}

export function loadRoutingConfig(file: string): RoutingConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new RoutingConfigError(file, [{ line: 0, column: 0, path: '', reason: `cannot read: ${(err as Error).message}` }]);
  }
  return parseRoutingConfig(text, file);
}

/** Start offset of the deepest node on `path` that exists (a missing key points at its parent). */
function offsetOf(doc: Document, path: Array<string | number>): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

function keyOffset(doc: Document, path: Array<string | number>, key: string | undefined): number | undefined {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
}
