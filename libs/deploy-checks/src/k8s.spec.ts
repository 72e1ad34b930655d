import * as fs from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { loadAppConfigs, type AppConfig } from './app-configs';
import { checkK8s, memoryHeadroomProblem } from './k8s-check';
import { binNodeFlags } from './node-options';
import { fromRoot, repoRoot } from './paths';
import { kubeconform, renderKustomize } from './render';

// deploy/k8s rendered by kustomize (built with `go install`), validated offline by kubeconform against
// schemas made from the Kubernetes OpenAPI definitions inside kustomize's kyaml module, and compared
// with the services' config schemas.
let configs: AppConfig[];
let overlay: ReturnType<typeof renderKustomize>;
let base: ReturnType<typeof renderKustomize>;

beforeAll(() => {
  configs = loadAppConfigs();
  base = renderKustomize(fromRoot('deploy', 'k8s', 'base'));
  overlay = renderKustomize(fromRoot('deploy', 'k8s', 'overlays', 'example'));
});

const clone = () => structuredClone(overlay.objects);
const find = (objs: Record<string, any>[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name)!;
const added = (problems: string[]) => {
  const baseline = new Set(checkK8s(overlay.objects, configs));
  return problems.filter((p) => !baseline.has(p));
};

describe('deploy/k8s', () => {
  it.each([
    ['base', () => base],
    ['overlays/example', () => overlay],
  ])('%s: every object is valid against the Kubernetes API schemas (kubeconform -strict, offline)', (_name, get) => {
    const r = kubeconform(get().text);
    const bad = r.resources.filter((x) => x.status !== 'statusValid');
    expect(bad).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.resources.length).toBe(get().objects.length);
  });

  it('the example overlay matches the apps: env names, ports, probes, securityContext, resources, topology', () => {
    expect(checkK8s(overlay.objects, configs)).toEqual([]);
  });

  it('the overlay has the documented shape: namespace, Deployments, a DaemonSet, Services, PDBs, ConfigMaps, no Secret values', () => {
    const kinds = overlay.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    for (const k of ['Namespace/watchkeeper', 'Deployment/receiver', 'Deployment/alert-dispatcher', 'Deployment/heartbeat-server', 'DaemonSet/log-collector', 'Deployment/lab-web']) {
      expect(kinds).toContain(k);
    }
    expect(overlay.objects.filter((o) => o.kind === 'PodDisruptionBudget').length).toBeGreaterThanOrEqual(3);
    expect(overlay.objects.some((o) => o.kind === 'Secret')).toBe(false);
    for (const o of overlay.objects) if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe('watchkeeper');
    expect(find(overlay.objects, 'Deployment', 'receiver').spec.replicas).toBe(3);
  });

  describe('the checks fail on drift', () => {
    it('kubeconform rejects a misspelled field and a wrong type', () => {
      const objs = clone();
      const d = find(objs, 'Deployment', 'receiver');
      d.spec.template.spec.containers[0].readinesProbe = d.spec.template.spec.containers[0].readinessProbe;
      d.spec.replicas = 'three';
      const r = kubeconform(objs.map((o) => stringify(o)).join('---\n'));
      expect(r.ok).toBe(false);
      const msg = r.resources.filter((x) => x.status !== 'statusValid').map((x) => `${x.kind}/${x.name}: ${x.msg}`).join('\n');
      expect(msg).toContain('Deployment/receiver');
      expect(msg).toMatch(/readinesProbe/);
      expect(msg).toMatch(/replicas/);
    });

    it('flags a writable root filesystem, a missing probe, a missing limit and an unknown variable', () => {
      const objs = clone();
      const c = find(objs, 'Deployment', 'alert-dispatcher').spec.template.spec.containers[0];
      c.securityContext.readOnlyRootFilesystem = false;
      delete c.livenessProbe;
      delete c.resources.limits.memory;
      c.env = [{ name: 'ALERT_DISPATCHER_FLAVOUR', value: 'x' }];
      const problems = added(checkK8s(objs, configs)).join('\n');
      expect(problems).toContain('readOnlyRootFilesystem is not true');
      expect(problems).toContain('no livenessProbe');
      expect(problems).toContain('no memory limit');
      expect(problems).toContain('ALERT_DISPATCHER_FLAVOUR (env) is not read by apps/alert-dispatcher/src/config.ts');
    });

    it('flags a memory limit that leaves no room above V8\'s old space', () => {
      const objs = clone();
      const c = find(objs, 'Deployment', 'heartbeat-server').spec.template.spec.containers[0];
      c.resources.limits.memory = '256Mi';
      expect(added(checkK8s(objs, configs))).toEqual([expect.stringContaining('container heartbeat-server: memory limit 256Mi leaves no room above --max-old-space-size=256')]);
      expect(memoryHeadroomProblem('x', '--max-old-space-size=256', '0.5Gi')).toBeUndefined();
      expect(memoryHeadroomProblem('x', undefined, '64Mi')).toBeUndefined();
    });

    it('flags a heartbeat-server whose NODE_OPTIONS lost or changed the bin\'s V8 flags', () => {
      const objs = clone();
      const c = find(objs, 'Deployment', 'heartbeat-server').spec.template.spec.containers[0];
      expect(c.env.find((e: { name: string }) => e.name === 'NODE_OPTIONS')).toBeDefined();
      c.env = c.env.filter((e: { name: string }) => e.name !== 'NODE_OPTIONS');
      expect(added(checkK8s(objs, configs))).toEqual([expect.stringContaining('container heartbeat-server: NODE_OPTIONS is not set')]);
      // a bin whose #! line changed while the manifest did not
      const binChanged = (app: string) => (app === 'heartbeat-server' ? ['--max-old-space-size=384'] : binNodeFlags(repoRoot, app));
      expect(added(checkK8s(overlay.objects, configs, binChanged))).toEqual([expect.stringContaining('runs node with "--max-old-space-size=384"')]);
    });

    it('flags a scaled-out singleton, a writable hostPath and a secret in a ConfigMap', () => {
      const objs = clone();
      find(objs, 'Deployment', 'heartbeat-server').spec.replicas = 2;
      const ds = find(objs, 'DaemonSet', 'log-collector');
      for (const m of ds.spec.template.spec.containers[0].volumeMounts) m.readOnly = false;
      const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('receiver-'))!;
      cm.data.WATCHKEEPER_ADMIN_TOKEN = 'literal-admin-token-0123456789';
      const problems = added(checkK8s(objs, configs)).join('\n');
      expect(problems).toContain('heartbeat-server is a singleton');
      expect(problems).toContain('hostPath volume host-logs must be mounted readOnly');
      expect(problems).toContain('secret WATCHKEEPER_ADMIN_TOKEN comes from ConfigMap');
    });
  });

  it('every manifest file in deploy/k8s is part of a kustomization (nothing stale lies around)', () => {
    for (const dir of ['base', 'overlays/example']) {
      const k = parseAllDocuments(fs.readFileSync(fromRoot('deploy', 'k8s', dir, 'kustomization.yaml'), 'utf8'))[0]!.toJS();
      const listed = new Set<string>([...(k.resources ?? []), ...(k.patches ?? []).map((p: { path?: string }) => p.path)]);
      const files = fs.readdirSync(fromRoot('deploy', 'k8s', dir)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
      for (const f of files) expect({ dir, file: f, listed: listed.has(f) || listed.has(`./${f}`) || fileUsedByGenerator(k, f) }).toEqual({ dir, file: f, listed: true });
    }
  });
});

function fileUsedByGenerator(k: Record<string, any>, f: string): boolean {
  return [...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])].some((g: { files?: string[] }) => (g.files ?? []).some((x) => x === f || x.endsWith(`=${f}`)));
}
