import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAppConfigs, portVar } from './app-configs';
import { checkCompose, checkExposure } from './compose-check';
import { renderCompose } from './render';
import { fromRoot, repoRoot } from './paths';
import { undeclaredRuntimeDeps } from './runtime-deps';
import { ensureTool } from './tools';

// No Docker engine runs here, so the image is proven by its parts: the runtime tree is built by the
// same script the Dockerfile runs (docker/assemble-app.sh), then started; the HEALTHCHECK script runs
// against a real HTTP server; the Prosody config is checked by Prosody itself.
const apps = loadAppConfigs().map((c) => c.app);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-docker-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('docker/Dockerfile', () => {
  const dockerfile = fs.readFileSync(fromRoot('docker', 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('is multi-stage, parameterised by APP, and its runtime stage runs as a non-root user with a HEALTHCHECK', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^ARG APP$/m);
    expect(dockerfile).toMatch(/assemble-app\.sh "\$\{APP\}"/);
    const user = /^USER (\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(0|root)$/);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*healthcheck\.cjs/m);
    expect(runtime).not.toMatch(/npm (ci|install)(?![^\n]*--omit=dev)/); // nothing but the assembled tree
  });

  it('copies only what the build context has (paths it names exist in the repository)', () => {
    for (const f of ['docker/assemble-app.sh', 'docker/healthcheck.cjs', 'package-lock.json']) {
      expect(fs.existsSync(fromRoot(f))).toBe(true);
    }
    const ignore = fs.readFileSync(fromRoot('docker', 'Dockerfile.dockerignore'), 'utf8');
    expect(ignore).toMatch(/^\*\*\/node_modules$/m);
    expect(ignore).toMatch(/^docker\/\.env$/m);
  });

  it.each(apps)('%s: every package its compiled code requires is a declared production dependency of the requiring project', (app) => {
    expect(undeclaredRuntimeDeps(repoRoot, app)).toEqual([]);
  });

  it('the dependency walk catches an undeclared package', () => {
    const root = fs.mkdtempSync(path.join(work, 'walk-'));
    const write = (f: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), text);
    };
    write('apps/demo/package.json', JSON.stringify({ name: '@watchkeeper/demo', dependencies: { '@watchkeeper/util': '*' } }));
    write('apps/demo/dist/main.js', 'require("./wiring");');
    write('apps/demo/dist/wiring.js', 'require("node:fs"); require("@watchkeeper/util");');
    write('libs/util/package.json', JSON.stringify({ name: '@watchkeeper/util', main: './dist/index.js', dependencies: { zod: '*' } }));
    write('libs/util/dist/index.js', 'require("zod"); require("yaml/dist");');
    expect(undeclaredRuntimeDeps(root, 'demo')).toEqual([expect.stringContaining('libs/util requires yaml')]);
  });

  // The full image assembly (npm ci --omit=dev) for the app with the fewest dependencies: the same
  // script the Dockerfile runs, then the service starts from the tree. One app keeps this quick; the
  // walk above covers every app's dependencies.
  it('assemble-app.sh builds a runtime tree with production dependencies only, and the service starts from it', () => {
    const app = apps.includes('heartbeat-client') ? 'heartbeat-client' : apps[0]!;
    const out = path.join(work, app);
    execFileSync('bash', [fromRoot('docker', 'assemble-app.sh'), app, out], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 180_000 });
    for (const dev of ['typescript', 'jest', 'nx', '@swc/core', 'eslint']) expect(fs.existsSync(path.join(out, 'node_modules', dev))).toBe(false);
    const pkg = JSON.parse(fs.readFileSync(fromRoot('apps', app, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) expect(fs.existsSync(path.join(out, 'node_modules', dep))).toBe(true);
    // the entry point loads every module of the service (main.js imports all of them) and answers --help
    const r = spawnSync(process.execPath, [path.join(out, 'service.js'), '--help'], { encoding: 'utf8', cwd: out, env: { PATH: process.env.PATH } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`watchkeeper-${app}`);
    expect(fs.readFileSync(path.join(out, 'APP'), 'utf8').trim()).toBe(app);
    // the service's command on the image's PATH (/app/bin): runs through the bin's #! line
    const bin = spawnSync(path.join(out, 'bin', `watchkeeper-${app}`), ['--help'], { encoding: 'utf8', env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` } });
    expect(bin.status).toBe(0);
    expect(bin.stdout).toContain(`watchkeeper-${app}`);
    // the HEALTHCHECK script runs from the tree too (it loads the app's config schema from it)
    const hc = spawnSync(process.execPath, [path.join(out, 'healthcheck.cjs')], { encoding: 'utf8', env: { PATH: process.env.PATH, [portVar(app)]: '1' } });
    expect(hc.status).toBe(1);
    expect(hc.stderr).toContain('http://127.0.0.1:1/healthz');
  });
});

describe('docker/offline (images without Docker Hub)', () => {
  const dockerfiles = ['docker/Dockerfile', ...fs.readdirSync(fromRoot('docker', 'offline')).filter((f) => f.endsWith('.Dockerfile')).map((f) => `docker/offline/${f}`)];

  it('every Dockerfile builds with the classic builder: no `# syntax=` frontend (a Docker Hub image), no BuildKit-only RUN --mount', () => {
    expect(dockerfiles.length).toBeGreaterThanOrEqual(5);
    for (const f of dockerfiles) {
      const text = fs.readFileSync(fromRoot(f), 'utf8');
      expect([f, /^#\s*syntax\s*=/m.test(text)]).toEqual([f, false]);
      expect([f, /--mount=/.test(text)]).toEqual([f, false]);
    }
  });

  it('the offline images start from the debootstrap base only (nothing pulled)', () => {
    for (const f of dockerfiles.filter((d) => d.startsWith('docker/offline/'))) {
      const froms = [...fs.readFileSync(fromRoot(f), 'utf8').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
      expect([f, froms]).toEqual([f, ['${BASE_IMAGE}']]);
    }
  });

  it('the classic builder\'s /.dockerignore has the same rules as docker/Dockerfile.dockerignore', () => {
    const rules = (f: string) => fs.readFileSync(fromRoot(f), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(rules('.dockerignore')).toEqual(rules('docker/Dockerfile.dockerignore'));
  });

  it('compose.offline.yaml keeps compose.yaml\'s services, settings and exposure, with local images and health checks', () => {
    const plain = renderCompose().rendered;
    const { rendered } = renderCompose(undefined, undefined, {}, [fromRoot('docker', 'offline', 'compose.offline.yaml')]);
    expect(Object.keys(rendered.services).sort()).toEqual(Object.keys(plain.services).sort());
    for (const [name, svc] of Object.entries(rendered.services)) {
      expect([name, svc.image]).toEqual([name, expect.stringMatching(/^watchkeeper\//)]);
      if (svc.build) expect([name, svc.build.args?.NODE_IMAGE]).toEqual([name, expect.stringMatching(/^watchkeeper\/offline-node:/)]);
    }
    const svcs = rendered.services as Record<string, { healthcheck?: { test?: unknown } }>;
    for (const infra of ['kafka', 'mongo', 'prosody']) expect([infra, svcs[infra]?.healthcheck?.test]).toEqual([infra, expect.anything()]);
    // only the public image names differ (compose.yaml's check wants apache/kafka and mongo:7 there)
    const configs = loadAppConfigs();
    const problems = checkCompose(rendered, renderCompose().raw, configs, { composeDir: fromRoot('docker'), repoRoot });
    expect(problems.filter((p) => !/^compose service (kafka|mongo|prosody): missing or not/.test(p))).toEqual([]);
    expect(checkExposure(rendered)).toEqual([]);
  });

  it('build.sh and the Kafka entry point are valid bash', () => {
    for (const f of ['docker/offline/build.sh', 'docker/offline/kafka/bin/run.sh', 'docker/offline/ferretdb/healthcheck.sh', 'tools/docker/compose.sh', 'tools/docker/ensure-engine.sh']) {
      expect([f, spawnSync('bash', ['-n', fromRoot(f)]).status]).toEqual([f, 0]);
    }
  });
});

describe('docker/healthcheck.cjs', () => {
  // asynchronous: the HTTP server it probes lives in this process
  const run = (env: Record<string, string>) =>
    new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [fromRoot('docker', 'healthcheck.cjs')], { env: { PATH: process.env.PATH, WK_APP_ROOT: repoRoot, ...env }, timeout: 10_000 });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stderr }));
    });

  async function serve(status: number): Promise<{ port: number; close: () => Promise<void>; paths: string[] }> {
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { port: (server.address() as AddressInfo).port, paths, close: () => new Promise((r) => server.close(() => r())) };
  }

  it.each(apps)('%s: healthy when /healthz answers 200 on <APP>_PORT, unhealthy on 503 or nothing listening', async (app) => {
    const ok = await serve(200);
    const bad = await serve(503);
    try {
      expect((await run({ WK_APP: app, [portVar(app)]: String(ok.port) })).status).toBe(0);
      expect(ok.paths).toEqual(['/healthz']);
      expect((await run({ WK_APP: app, [portVar(app)]: String(bad.port) })).status).toBe(1);
    } finally {
      await ok.close();
      await bad.close();
    }
    const dead = await run({ WK_APP: app, [portVar(app)]: String(ok.port) });
    expect(dead.status).toBe(1);
    expect(dead.stderr).toContain(`127.0.0.1:${ok.port}/healthz`);
  });

  it('uses the port default from the app config schema when <APP>_PORT is unset', async () => {
    const r = await run({ WK_APP: 'receiver' });
    const def = loadAppConfigs().find((c) => c.app === 'receiver')!.vars.find((v) => v.name === 'RECEIVER_PORT')!.default;
    // whether or not something listens there, the check names the port it used
    if (r.status !== 0) expect(r.stderr).toContain(`127.0.0.1:${def}/healthz`);
  });
});

describe('docker/prosody', () => {
  it('prosody.cfg.lua passes `prosodyctl check config` with the domain from the environment', () => {
    const r = spawnSync(ensureTool('prosodyctl'), ['--config', fromRoot('docker', 'prosody', 'prosody.cfg.lua'), 'check', 'config'], {
      encoding: 'utf8',
      env: { ...process.env, XMPP_DOMAIN: 'lab.test' },
    });
    expect(`${r.stdout}${r.stderr}`).toContain('All checks passed');
    expect(r.status).toBe(0);
  });

  it('declares the pubsub component and makes wk-server an admin (only admins create nodes)', () => {
    const cfg = fs.readFileSync(fromRoot('docker', 'prosody', 'prosody.cfg.lua'), 'utf8');
    expect(cfg).toMatch(/Component\("pubsub\." \.\. domain\) "pubsub"/);
    expect(cfg).toMatch(/admins = \{ "wk-server@" \.\. domain \}/);
  });

  it('entrypoint.sh is valid sh and refuses to start without the passwords', () => {
    expect(spawnSync('sh', ['-n', fromRoot('docker', 'prosody', 'entrypoint.sh')]).status).toBe(0);
    const r = spawnSync('sh', [fromRoot('docker', 'prosody', 'entrypoint.sh')], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('XMPP_SERVER_PASSWORD is not set');
  });
});
