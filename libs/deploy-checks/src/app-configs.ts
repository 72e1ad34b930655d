import { createRequire } from 'node:module';
import { fromRoot } from './paths';

/** One variable of an app's config schema, as tools/gen-config-docs.cjs reads it from the code. */
export interface ConfigVar {
  name: string;
  type: string;
  /** The default as the string one would set; undefined when there is none. */
  default?: string;
  /** No default: the service refuses to start without it. */
  required: boolean;
  values?: string[];
  description: string;
  /** A credential by its name (TOKEN, PASSWORD, SECRET…): only ever from a Secret / env file. */
  secret: boolean;
}

export interface AppConfig {
  app: string;
  vars: ConfigVar[];
}

interface Generator {
  loadAppConfigs(): AppConfig[];
  renderDoc(text: string): string;
  docPath: string;
}

// The generator is plain CommonJS so it runs without a build step of its own; it reads the apps'
// compiled config modules from disk (never an import of an app).
const load = createRequire(__filename);
export const docsGenerator = (): Generator => load(fromRoot('tools', 'gen-config-docs.cjs')) as Generator;

/** Every app's config schema, from apps/<app>/dist/config.js (run `npx tsc -b` first). */
export function loadAppConfigs(): AppConfig[] {
  return docsGenerator().loadAppConfigs();
}

/** The variable holding the app's HTTP port: RECEIVER_PORT, HEARTBEAT_SERVER_PORT, … */
export function portVar(app: string): string {
  return `${app.toUpperCase().replace(/-/g, '_')}_PORT`;
}

/** Host names a connection setting points at: `a:1,b:2` lists and `scheme://user@host:port/…` URLs. */
export function endpointHosts(value: string): string[] {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    const afterScheme = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
    const authority = afterScheme.split(/[/?#]/)[0]!;
    const hosts = authority.slice(authority.lastIndexOf('@') + 1);
    return hosts.split(',').map((h) => h.replace(/:\d+$/, '')).filter(Boolean);
  }
  return value
    .split(',')
    .map((b) => b.trim().replace(/:\d+$/, ''))
    .filter(Boolean);
}

/** A default that only works on the developer's machine and must be overridden in a deployment. */
export function pointsAtLoopback(value: string | undefined): boolean {
  if (!value) return false;
  return endpointHosts(value).some((h) => h === '127.0.0.1' || h === 'localhost' || h === '::1' || h === '[::1]');
}
