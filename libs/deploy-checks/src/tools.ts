import { execFileSync } from 'node:child_process';
import { fromRoot } from './paths';

export type ToolName = 'docker-compose' | 'kcat' | 'prosodyctl' | 'kustomize' | 'kubeconform' | 'k8s-openapi';

const resolved = new Map<ToolName, string>();

/**
 * Path of a deployment tool, installed on first use by tools/deploy-tools.sh (apt-get or
 * `go install`, cached under ~/.cache/watchkeeper; later calls cost a few milliseconds).
 */
export function ensureTool(name: ToolName): string {
  let p = resolved.get(name);
  if (!p) {
    p = execFileSync('bash', [fromRoot('tools', 'deploy-tools.sh'), 'path', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 15 * 60_000,
    }).trim();
    resolved.set(name, p);
  }
  return p;
}
