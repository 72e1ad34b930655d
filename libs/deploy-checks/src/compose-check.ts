import * as fs from 'node:fs';
import * as path from 'node:path';
import { type AppConfig, endpointHosts, pointsAtLoopback, portVar } from './app-configs';
import { binNodeFlags, NODE_RUNTIME_VARS, nodeOptionsProblem } from './node-options';

/** The parts of a compose service this check reads (after `docker-compose config`). */
export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  environment?: Record<string, string | null>;
  ports?: Array<{ target: number; published?: number | string } | string>;
  volumes?: Array<{ type: string; source?: string; target: string; read_only?: boolean } | string>;
  tmpfs?: string[] | string;
  networks?: Record<string, unknown> | string[];
  read_only?: boolean;
  group_add?: Array<string | number>;
}

export interface ComposeModel {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
}

const ENV_FILE_REF = /\$\{[A-Za-z_][A-Za-z0-9_]*(:?[?-][^}]*)?\}/;
/** The image's WORKDIR: relative paths in settings resolve against it. */
export const APP_DIR = '/app';

interface Mount {
  type: 'bind' | 'volume' | 'tmpfs' | string;
  source?: string;
  target: string;
  read_only: boolean;
}

/** docker-compose 1.29 renders volumes as `source:target[:mode]` strings; the spec also allows objects. */
export function parseMount(v: NonNullable<ComposeService['volumes']>[number]): Mount {
  if (typeof v !== 'string') return { type: v.type, source: v.source, target: v.target, read_only: v.read_only === true };
  const [source, target, mode] = v.split(':');
  if (target === undefined) return { type: 'volume', target: source!, read_only: false };
  return { type: /^[/.~]/.test(source!) ? 'bind' : 'volume', source, target, read_only: (mode ?? '').split(',').includes('ro') };
}

/** A setting that names a file or folder: by its name (…_DIR, …_PATH, …_FILE) or an absolute value. */
export function isPathSetting(name: string, value: string): boolean {
  return value.startsWith('/') || (/_(DIR|PATH|FILE)$/.test(name) && value !== '');
}

/**
 * Compares a rendered compose model (`docker-compose config`) and its raw text (before
 * interpolation, to see where secrets come from) with the apps' config schemas. Returns one line per
 * problem; empty means compose and code agree.
 */
export function checkCompose(rendered: ComposeModel, raw: ComposeModel, configs: AppConfig[], opts: { composeDir: string; repoRoot: string }): string[] {
  const problems: string[] = [];
  const services = rendered.services ?? {};
  const serviceNames = new Set(Object.keys(services));
  const usedVolumes = new Set<string>();

  for (const { app, vars } of configs) {
    const svc = services[app];
    const where = `compose service ${app}`;
    if (!svc) {
      problems.push(`${where}: missing (every app under apps/ runs in the compose stack)`);
      continue;
    }
    const schema = new Map(vars.map((v) => [v.name, v]));
    const env = svc.environment ?? {};

    // image and build
    if (svc.build?.args?.APP !== app) problems.push(`${where}: build.args.APP is ${svc.build?.args?.APP ?? 'unset'}, expected ${app}`);
    if (svc.build?.dockerfile !== 'docker/Dockerfile') problems.push(`${where}: build.dockerfile should be docker/Dockerfile`);
    if (svc.build?.context && path.resolve(opts.composeDir, svc.build.context) !== opts.repoRoot) {
      problems.push(`${where}: build.context ${svc.build.context} is not the repository root`);
    }
    if (!svc.image || !new RegExp(`(^|/)watchkeeper/${app}(:|$)`).test(svc.image)) problems.push(`${where}: image ${svc.image ?? '(none)'} is not watchkeeper/${app}`);

    // environment ⊂ schema; required and loopback-defaulted variables provided
    for (const name of Object.keys(env)) {
      if (!schema.has(name) && !NODE_RUNTIME_VARS.has(name)) problems.push(`${where}: sets ${name}, which apps/${app}/src/config.ts does not read`);
    }
    const nodeOptions = nodeOptionsProblem(where, app, env.NODE_OPTIONS ?? undefined, binNodeFlags(opts.repoRoot, app));
    if (nodeOptions) problems.push(nodeOptions);
    for (const v of vars) {
      const value = env[v.name];
      const set = value !== undefined && value !== null && value !== '';
      if (v.required && !set) problems.push(`${where}: required variable ${v.name} is not set`);
      if (!set && pointsAtLoopback(v.default)) problems.push(`${where}: ${v.name} must be set: its default ${v.default} points at the container itself`);
      if (set) {
        if (pointsAtLoopback(v.default)) {
          for (const host of endpointHosts(String(value))) {
            if (!serviceNames.has(host)) problems.push(`${where}: ${v.name}=${value} names host ${host}, which is no compose service`);
            // another of our services: the port must be the one it listens on
            const peer = configs.find((c) => c.app === host);
            const port = new RegExp(`${host}:(\\d+)`).exec(String(value))?.[1];
            const peerPort = peer && (services[host]?.environment?.[portVar(host)] ?? peer.vars.find((x) => x.name === portVar(host))?.default);
            if (peer && port && peerPort !== undefined && String(peerPort) !== port) {
              problems.push(`${where}: ${v.name}=${value} but ${host} listens on ${peerPort}`);
            }
          }
        }
        if (v.secret) {
          const rawValue = raw.services?.[app]?.environment?.[v.name];
          if (typeof rawValue !== 'string' || !ENV_FILE_REF.test(rawValue)) {
            problems.push(`${where}: secret ${v.name} must come from the env file (\${…} in compose.yaml), not a literal`);
          }
        }
        if (v.values && !v.values.includes(String(value)) && !/^\$\{/.test(String(value))) {
          problems.push(`${where}: ${v.name}=${value} is not one of ${v.values.join(', ')}`);
        }
      }
    }

    // ports: the one the service listens on (schema default unless overridden) is the one exposed
    const pv = schema.get(portVar(app));
    if (!pv) {
      problems.push(`${where}: apps/${app}/src/config.ts has no ${portVar(app)}`);
    } else {
      const listens = Number(env[pv.name] ?? pv.default);
      const targets = (svc.ports ?? []).map((p) => (typeof p === 'string' ? Number(p.split(':').pop()!.split('/')[0]) : Number(p.target)));
      if (!targets.includes(listens)) problems.push(`${where}: listens on ${listens} (${pv.name}) but exposes ${targets.join(', ') || 'no port'}`);
      for (const t of targets) if (t !== listens) problems.push(`${where}: exposes ${t}, but the service listens on ${listens}`);
    }

    // hardening and network
    if (svc.read_only !== true) problems.push(`${where}: read_only should be true (the image needs no writable root)`);
    const nets = Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks ?? {});
    if (!nets.includes('lab')) problems.push(`${where}: not on the lab network`);

    // every path a setting names must be inside a mount: the root filesystem is read-only
    const mounts = [
      ...(svc.volumes ?? []).map((v) => parseMount(v).target),
      ...(Array.isArray(svc.tmpfs) ? svc.tmpfs : svc.tmpfs ? [svc.tmpfs] : []).map((t) => t.split(':')[0]!),
    ];
    for (const v of vars) {
      const value = String(env[v.name] ?? v.default ?? '');
      if (!isPathSetting(v.name, value)) continue;
      const abs = path.posix.resolve(APP_DIR, value);
      if (!mounts.some((m) => abs === m || abs.startsWith(m.endsWith('/') ? m : `${m}/`))) {
        problems.push(`${where}: ${v.name}=${value} (${abs}) is outside every volume and tmpfs of a read-only container`);
      }
    }
  }

  // log-collector reads the host's logs, read-only
  const lc = services['log-collector'];
  if (lc) {
    const logMount = (lc.volumes ?? []).map(parseMount).find((m) => m.type === 'bind' && m.source === '/var/log');
    if (!logMount) problems.push('compose service log-collector: does not bind-mount the host /var/log');
    else if (!logMount.read_only) problems.push('compose service log-collector: /var/log must be mounted read-only');
  }

  // volumes: named ones declared and used; bind sources in the repo exist
  for (const [name, svc] of Object.entries(services)) {
    for (const v of (svc.volumes ?? []).map(parseMount)) {
      if (v.type === 'volume' && v.source) {
        usedVolumes.add(v.source);
        if (!(rendered.volumes ?? {})[v.source]) problems.push(`compose service ${name}: volume ${v.source} is not declared`);
      }
      if (v.type === 'bind' && v.source?.startsWith(opts.repoRoot) && !fs.existsSync(v.source)) {
        problems.push(`compose service ${name}: bind source ${path.relative(opts.repoRoot, v.source)} does not exist`);
      }
    }
  }
  for (const name of Object.keys(rendered.volumes ?? {})) {
    if (!usedVolumes.has(name)) problems.push(`compose volume ${name} is declared but no service uses it`);
  }
  if (!(rendered.networks ?? {}).lab) problems.push('compose: no network named lab');
  // the infrastructure the services talk to
  const infra: Array<[string, RegExp]> = [
    ['kafka', /^apache\/kafka:/],
    ['mongo', /^mongo:7(\.|$)/],
    ['prosody', /prosody/],
  ];
  for (const [name, image] of infra) {
    if (!image.test(services[name]?.image ?? '')) problems.push(`compose service ${name}: missing or not ${image.source}`);
  }
  return problems;
}

/** Published ports as the rendered model has them: `[host_ip:]published:target[/proto]` or objects. */
export function publishedPorts(svc: ComposeService): Array<{ hostIp: string; target: number }> {
  return (svc.ports ?? []).map((p) => {
    if (typeof p !== 'string') return { hostIp: (p as { host_ip?: string }).host_ip ?? '0.0.0.0', target: Number(p.target) };
    const parts = p.split('/')[0]!.split(':');
    return { hostIp: parts.length >= 3 ? parts.slice(0, -2).join(':') : '0.0.0.0', target: Number(parts.at(-1)) };
  });
}

/**
 * Services whose published port may listen beyond loopback by default: each checks who writes (the
 * receiver: a host token per host; Prosody: account passwords). Everything else publishes on
 * 127.0.0.1 unless the operator opts in.
 */
export const LAB_FACING = new Set(['receiver', 'prosody']);

/** What the lab network can reach: only LAB_FACING services beyond loopback; Kafka's HOST listener needs SASL. */
export function checkExposure(rendered: ComposeModel): string[] {
  const problems: string[] = [];
  for (const [name, svc] of Object.entries(rendered.services ?? {})) {
    if (LAB_FACING.has(name)) continue;
    for (const p of publishedPorts(svc)) {
      if (p.hostIp !== '127.0.0.1') problems.push(`compose service ${name}: port ${p.target} is published on ${p.hostIp}, not 127.0.0.1 (it accepts writes without a token)`);
    }
  }
  const kafkaEnv = rendered.services?.kafka?.environment ?? {};
  const map = String(kafkaEnv.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP ?? '');
  const published = publishedPorts(rendered.services?.kafka ?? {}).map((p) => p.target);
  for (const entry of map.split(',')) {
    const [listener, protocol] = entry.split(':');
    const port = new RegExp(`${listener}://[^:,]*:(\\d+)`).exec(String(kafkaEnv.KAFKA_LISTENERS ?? ''))?.[1];
    if (port && published.includes(Number(port)) && !/^SASL_/.test(protocol ?? '')) {
      problems.push(`compose service kafka: listener ${listener} (published port ${port}) is ${protocol}; it needs SASL (SCRAM) credentials`);
    }
  }
  return problems;
}
