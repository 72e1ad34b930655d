import * as fs from 'node:fs';
import * as path from 'node:path';

type Schema = Record<string, any>;

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/**
 * kubeconform's file name for a kind: `{{ .ResourceKind }}{{ .KindSuffix }}.json`, e.g.
 * deployment-apps-v1.json, service-v1.json, poddisruptionbudget-policy-v1.json.
 */
export function schemaFileName({ group, version, kind }: Gvk): string {
  const suffix = group ? `-${group.split('.')[0]!.toLowerCase()}-${version.toLowerCase()}` : `-${version.toLowerCase()}`;
  return `${kind.toLowerCase()}${suffix}.json`;
}

/**
 * Turns the Kubernetes OpenAPI definitions (swagger 2.0) into standalone, strict JSON Schemas, the
 * way kubeconform's schema sets are made (openapi2jsonschema --strict --standalone): references
 * inlined, unknown fields rejected (additionalProperties: false on every object with properties),
 * int-or-string and quantities accepting both JSON types, apiVersion and kind pinned. Writes one file
 * per requested kind; returns the files written.
 */
export function writeKubeconformSchemas(definitions: Record<string, Schema>, kinds: Gvk[], outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const byGvk = new Map<string, { name: string; def: Schema }>();
  for (const [name, def] of Object.entries(definitions)) {
    for (const g of (def['x-kubernetes-group-version-kind'] as Gvk[] | undefined) ?? []) byGvk.set(`${g.group}/${g.version}/${g.kind}`, { name, def });
  }
  const written: string[] = [];
  for (const gvk of kinds) {
    const found = byGvk.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
    if (!found) continue; // kubeconform then reports the kind as unknown: no schema, no pass
    const schema = inline(found.def, definitions, [found.name]);
    const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    schema.properties = { ...schema.properties, apiVersion: { type: 'string', enum: [apiVersion] }, kind: { type: 'string', enum: [gvk.kind] } };
    schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind'])];
    const file = path.join(outDir, schemaFileName(gvk));
    fs.writeFileSync(file, JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }));
    written.push(file);
  }
  return written;
}

const REF_PREFIX = '#/definitions/';

function inline(node: Schema, defs: Record<string, Schema>, stack: string[]): Schema {
  if (node.$ref) {
    const name = String(node.$ref).slice(REF_PREFIX.length);
    if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') return { oneOf: [{ type: 'string' }, { type: 'number' }] };
    if (stack.includes(name)) return {}; // recursive types (JSONSchemaProps) are left open
    const target = defs[name];
    if (!target) throw new Error(`unresolved $ref ${node.$ref}`);
    return inline(target, defs, [...stack, name]);
  }
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description' || k.startsWith('x-kubernetes-') || k === 'format') continue;
    if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, inline(s as Schema, defs, stack)]));
    } else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) {
      out[k] = inline(v as Schema, defs, stack);
    } else {
      out[k] = v;
    }
  }
  if (node.format === 'int-or-string') {
    delete out.type;
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
