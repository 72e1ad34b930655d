import { posix } from 'node:path';
import { type AppConfig, pointsAtLoopback, portVar } from './app-configs';
import { APP_DIR, isPathSetting } from './compose-check';
import { binNodeFlags, NODE_RUNTIME_VARS, nodeOptionsProblem } from './node-options';
import { repoRoot } from './paths';

type Obj = Record<string, any>;

const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);

/** The app a container runs, from its image (…/watchkeeper/<app>:tag), if it is one of ours. */
export function appOfImage(image: string | undefined, apps: string[]): string | undefined {
  const m = /(?:^|\/)watchkeeper\/([a-z0-9-]+)(?::|@|$)/.exec(image ?? '');
  return m && apps.includes(m[1]!) ? m[1] : undefined;
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/**
 * Checks rendered Kubernetes objects (kustomize build output) against the apps' config schemas and
 * the operating rules: every workload container has startup/liveness/readiness probes, a preStop
 * hook, requests and limits, runs as non-root with a read-only root filesystem and no privilege
 * escalation; our containers' env names are their app's schema keys (plus NODE_OPTIONS, which must
 * carry exactly the V8 flags of the app's bin #! line), ports are the schema's, probes
 * hit /healthz and /readyz, secrets come from Secrets only; the topology is the documented one.
 */
export function checkK8s(objects: Obj[], configs: AppConfig[], binFlags: (app: string) => string[] = (app) => binNodeFlags(repoRoot, app)): string[] {
  const problems: string[] = [];
  const apps = configs.map((c) => c.app);
  const byApp = new Map(configs.map((c) => [c.app, c]));
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name as string, o]));
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  const seenApps = new Map<string, Obj[]>();

  for (const o of objects) {
    if (o.kind === 'Secret') problems.push(`Secret ${o.metadata?.name}: secrets are referenced, never rendered with values`);
  }

  for (const w of workloads) {
    const wname = `${w.kind} ${w.metadata.name}`;
    const pod = w.spec?.template?.spec ?? {};
    const podSc = pod.securityContext ?? {};
    const volumes = new Map<string, Obj>((pod.volumes ?? []).map((v: Obj) => [v.name, v]));
    for (const c of pod.containers ?? []) {
      const where = `${wname} container ${c.name}`;
      const sc = c.securityContext ?? {};
      if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
      for (const r of ['cpu', 'memory']) {
        if (!c.resources?.requests?.[r]) problems.push(`${where}: no ${r} request`);
        if (!c.resources?.limits?.[r]) problems.push(`${where}: no ${r} limit`);
      }
      for (const p of ['startupProbe', 'livenessProbe', 'readinessProbe']) if (!c[p]) problems.push(`${where}: no ${p}`);
      if (!c.lifecycle?.preStop) problems.push(`${where}: no preStop hook (graceful shutdown needs endpoints to drain first)`);
      for (const m of c.volumeMounts ?? []) {
        const v = volumes.get(m.name);
        if (v?.hostPath && m.readOnly !== true) problems.push(`${where}: hostPath volume ${m.name} must be mounted readOnly`);
      }

      const app = appOfImage(c.image, apps);
      if (!app) continue;
      seenApps.set(app, [...(seenApps.get(app) ?? []), w]);
      const schema = new Map(byApp.get(app)!.vars.map((v) => [v.name, v]));

      // environment as the container sees it: ConfigMaps through envFrom, then env entries
      const values = new Map<string, { value?: string; from: string }>();
      let secretRef: Obj | undefined;
      for (const ef of c.envFrom ?? []) {
        if (ef.configMapRef) {
          const cm = configMaps.get(ef.configMapRef.name);
          if (!cm) problems.push(`${where}: envFrom ConfigMap ${ef.configMapRef.name} is not in the kustomization`);
          for (const [k, v] of Object.entries(cm?.data ?? {})) values.set(k, { value: String(v), from: `ConfigMap ${ef.configMapRef.name}` });
        }
        if (ef.secretRef) secretRef = ef.secretRef;
      }
      for (const e of c.env ?? []) {
        values.set(e.name, { value: e.value, from: e.valueFrom?.secretKeyRef ? 'secretKeyRef' : e.valueFrom ? 'valueFrom' : 'env' });
      }
      const nodeOptions = nodeOptionsProblem(where, app, values.get('NODE_OPTIONS')?.value, binFlags(app));
      if (nodeOptions) problems.push(nodeOptions);
      const headroom = memoryHeadroomProblem(where, values.get('NODE_OPTIONS')?.value, c.resources?.limits?.memory);
      if (headroom) problems.push(headroom);
      for (const [name, { from }] of values) {
        const v = schema.get(name);
        if (!v && NODE_RUNTIME_VARS.has(name)) continue;
        if (!v) problems.push(`${where}: ${name} (${from}) is not read by apps/${app}/src/config.ts`);
        else if (v.secret && from !== 'secretKeyRef') problems.push(`${where}: secret ${name} comes from ${from}; use a Secret`);
      }
      // a secret the schema names comes from the pod's non-optional Secret when no env entry sets it
      const fromSecret = (v: { secret: boolean }) => v.secret && !!secretRef && secretRef.optional !== true;
      for (const v of schema.values()) {
        const got = values.get(v.name);
        if (v.required && !got && !fromSecret(v)) {
          problems.push(
            v.secret
              ? `${where}: required secret ${v.name} needs a non-optional secretRef or secretKeyRef`
              : `${where}: required variable ${v.name} is not provided`,
          );
        }
        if (pointsAtLoopback(v.default)) {
          if (!got && !fromSecret(v)) problems.push(`${where}: ${v.name} must be set: its default ${v.default} points at the pod itself`);
          else if (got?.value !== undefined && pointsAtLoopback(got.value)) problems.push(`${where}: ${v.name}=${got.value} points at the pod itself`);
        }
        // a path setting must name a mounted volume: the root filesystem is read-only
        const value = got?.value ?? v.default ?? '';
        if (isPathSetting(v.name, value)) {
          const abs = posix.resolve(APP_DIR, value);
          const mounts: string[] = (c.volumeMounts ?? []).map((m: Obj) => m.mountPath);
          if (!mounts.some((m) => abs === m || abs.startsWith(m.endsWith('/') ? m : `${m}/`))) {
            problems.push(`${where}: ${v.name}=${value} (${abs}) is outside every volume of a read-only container`);
          }
        }
      }

      // port, probes
      const pv = schema.get(portVar(app));
      const listens = Number(values.get(portVar(app))?.value ?? pv?.default);
      const ports: Obj[] = c.ports ?? [];
      const portOf = (ref: unknown) => (typeof ref === 'number' ? ref : ports.find((p) => p.name === ref)?.containerPort);
      if (!ports.some((p) => p.containerPort === listens)) problems.push(`${where}: containerPort is not ${listens}, the port ${app} listens on (${portVar(app)})`);
      const expectPath: Record<string, string> = { startupProbe: '/healthz', livenessProbe: '/healthz', readinessProbe: '/readyz' };
      for (const [p, want] of Object.entries(expectPath)) {
        const get = c[p]?.httpGet;
        if (!get) continue;
        if (get.path !== want) problems.push(`${where}: ${p} checks ${get.path}, expected ${want}`);
        if (portOf(get.port) !== listens) problems.push(`${where}: ${p} port ${get.port} is not ${listens}`);
      }
    }
  }

  // topology: which app runs how (docs/operations.md, "Scaling")
  const expectKind: Record<string, string> = {
    receiver: 'Deployment',
    'alert-dispatcher': 'Deployment',
    'heartbeat-server': 'Deployment',
    'log-collector': 'DaemonSet',
  };
  for (const [app, kind] of Object.entries(expectKind)) {
    if (!apps.includes(app)) continue;
    const ws = (seenApps.get(app) ?? []).filter((w) => w.kind === kind);
    if (ws.length === 0) problems.push(`${app}: no ${kind} runs it`);
  }
  for (const w of seenApps.get('heartbeat-server') ?? []) {
    if (w.kind === 'Deployment' && (w.spec.replicas !== 1 || w.spec.strategy?.type !== 'Recreate')) {
      problems.push(`Deployment ${w.metadata.name}: heartbeat-server is a singleton (replicas 1, strategy Recreate)`);
    }
  }
  for (const w of seenApps.get('log-collector') ?? []) {
    const hostLogs = (w.spec.template.spec.volumes ?? []).some((v: Obj) => v.hostPath?.path === '/var/log');
    if (!hostLogs) problems.push(`${w.kind} ${w.metadata.name}: log-collector does not read the node's /var/log through a hostPath`);
  }
  if (apps.includes('heartbeat-client') && !(seenApps.get('heartbeat-client') ?? []).some((w) => (w.spec.template.spec.containers ?? []).length > 1)) {
    problems.push('heartbeat-client: no sidecar example (a pod with the heartbeat-client beside another container)');
  }

  // every workload of ours has a Service, every Deployment a PodDisruptionBudget
  const services = objects.filter((o) => o.kind === 'Service');
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  for (const w of new Set([...seenApps.values()].flat())) {
    const labels = w.spec.template.metadata?.labels;
    if (!services.some((s) => s.metadata.namespace === w.metadata.namespace && matches(s.spec?.selector, labels))) {
      problems.push(`${w.kind} ${w.metadata.name}: no Service selects its pods`);
    }
    if (w.kind === 'Deployment' && !pdbs.some((p) => p.metadata.namespace === w.metadata.namespace && matches(p.spec?.selector?.matchLabels, labels))) {
      problems.push(`${w.kind} ${w.metadata.name}: no PodDisruptionBudget`);
    }
  }
  return problems;
}

/** Memory beyond V8's old space that a Node process needs (young space, code, buffers, native). */
export const NODE_MEMORY_HEADROOM_MIB = 96;

/** Kubernetes quantity (Mi, Gi, M, G, plain bytes) in MiB; undefined when unreadable. */
export function quantityMiB(q: string | number | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(String(q ?? ''));
  if (!m) return undefined;
  const scale: Record<string, number> = { '': 1 / 2 ** 20, Ki: 1 / 1024, Mi: 1, Gi: 1024, K: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 };
  return Number(m[1]) * scale[m[2] ?? '']!;
}

/**
 * A memory limit at or below V8's old-space limit gets the pod OOM-killed before V8 can collect or
 * fail cleanly: the limit must leave room for the rest of the process.
 */
export function memoryHeadroomProblem(where: string, nodeOptions: string | undefined, limit: string | number | undefined): string | undefined {
  const oldSpace = /--max-old-space-size=(\d+)/.exec(nodeOptions ?? '');
  const limitMiB = quantityMiB(limit);
  if (!oldSpace || limitMiB === undefined) return undefined;
  const need = Number(oldSpace[1]) + NODE_MEMORY_HEADROOM_MIB;
  return limitMiB < need ? `${where}: memory limit ${limit} leaves no room above --max-old-space-size=${oldSpace[1]} (needs ≥ ${need}Mi)` : undefined;
}
