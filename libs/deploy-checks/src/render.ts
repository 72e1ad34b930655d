import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { ComposeModel } from './compose-check';
import { type Gvk, writeKubeconformSchemas } from './k8s-schemas';
import { fromRoot } from './paths';
import { ensureTool } from './tools';

/** `docker-compose config` (Debian's 1.29: parses and interpolates, needs no engine) and the raw file. */
export function renderCompose(composeFile = fromRoot('docker', 'compose.yaml'), envFile = fromRoot('docker', '.env.example'), env: Record<string, string> = {}, overrides: string[] = []) {
  const files = [composeFile, ...overrides].flatMap((f) => ['-f', f]);
  // the variables an operator sets in the shell are not those of this check
  const shell = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/_BIND$|_PUBLISHED_PORT$|^KAFKA_HOST_|^HOST_LOG_DIR$|^WATCHKEEPER_/.test(k)));
  const text = execFileSync(ensureTool('docker-compose'), ['--env-file', envFile, ...files, 'config'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...shell, COMPOSE_PROJECT_NAME: 'watchkeeper-check', ...env },
  });
  return { rendered: parse(text) as ComposeModel, raw: parse(fs.readFileSync(composeFile, 'utf8')) as ComposeModel };
}

/** `kustomize build DIR` as parsed objects, and the YAML text. */
export function renderKustomize(dir: string): { text: string; objects: Record<string, any>[] } {
  const text = execFileSync(ensureTool('kustomize'), ['build', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const objects = parseAllDocuments(text)
    .map((d) => d.toJS() as Record<string, any>)
    .filter(Boolean);
  return { text, objects };
}

export interface KubeconformResult {
  ok: boolean;
  kubernetesVersion: string;
  resources: Array<{ filename?: string; kind: string; name: string; version: string; status: string; msg: string }>;
  output: string;
}

/**
 * Validates manifests with kubeconform, strictly, against JSON Schemas made here from the Kubernetes
 * OpenAPI definitions that ship inside kustomize's kyaml module: no network at run time.
 */
export function kubeconform(yamlText: string): KubeconformResult {
  const openapi = JSON.parse(fs.readFileSync(ensureTool('k8s-openapi'), 'utf8')) as { kubernetesVersion: string; definitions: Record<string, any> };
  const kinds: Gvk[] = [];
  for (const d of parseAllDocuments(yamlText)) {
    const o = d.toJS() as { apiVersion?: string; kind?: string } | null;
    if (!o?.apiVersion || !o.kind) continue;
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
    kinds.push({ group: group!, version: version!, kind: o.kind });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-kubeconform-'));
  try {
    writeKubeconformSchemas(openapi.definitions, kinds, dir);
    const manifest = path.join(dir, 'manifest.yaml');
    fs.writeFileSync(manifest, yamlText);
    let output: string;
    let ok = true;
    try {
      output = execFileSync(
        ensureTool('kubeconform'),
        ['-strict', '-summary', '-output', 'json', '-verbose', '-schema-location', `${dir}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, manifest],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
    } catch (err) {
      ok = false;
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    const parsed = JSON.parse(output) as { resources?: KubeconformResult['resources'] };
    return { ok, kubernetesVersion: openapi.kubernetesVersion, resources: parsed.resources ?? [], output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
