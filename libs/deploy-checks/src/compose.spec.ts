import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAppConfigs, portVar, type AppConfig } from './app-configs';
import { checkCompose, checkExposure, type ComposeModel } from './compose-check';
import { fromRoot, repoRoot } from './paths';
import { renderCompose } from './render';
import { ensureTool } from './tools';

// docker/compose.yaml is rendered by Debian's docker-compose (no engine needed) and compared with the
// services' config schemas as the code defines them now.
const composeDir = fromRoot('docker');
let configs: AppConfig[];
let rendered: ComposeModel;
let raw: ComposeModel;

beforeAll(() => {
  configs = loadAppConfigs();
  ({ rendered, raw } = renderCompose());
});

const check = (r: ComposeModel = rendered) => checkCompose(r, raw, configs, { composeDir, repoRoot });
/** Problems a mutation adds to those of the committed files (the negative tests stay independent of them). */
const added = (problems: string[]) => {
  const baseline = new Set(check());
  return problems.filter((p) => !baseline.has(p));
};
const copy = (): ComposeModel => structuredClone(rendered);

describe('docker/compose.yaml', () => {
  it('parses with docker-compose config and matches every app: images, build, env names, ports, volumes', () => {
    expect(configs.length).toBeGreaterThanOrEqual(5);
    expect(check()).toEqual([]);
  });

  it('runs the five services and the infrastructure on the lab network with data volumes', () => {
    for (const { app } of configs) expect(rendered.services[app]).toBeDefined();
    expect(Object.keys(rendered.volumes ?? {}).sort()).toEqual(expect.arrayContaining(['kafka-data', 'mongo-data', 'prosody-data']));
    expect(rendered.networks?.lab).toBeDefined();
  });

  it('refuses to render without the env file: secrets are never defaults', () => {
    const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wk-compose-')), 'empty.env');
    fs.writeFileSync(empty, '');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/PASSWORD|TOKEN|CLUSTER_ID|MONGO_ROOT/.test(k)));
    const r = spawnSync(ensureTool('docker-compose'), ['--env-file', empty, '-f', fromRoot('docker', 'compose.yaml'), 'config'], { encoding: 'utf8', env });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/set [A-Z_]+ in docker\/\.env/);
  });

  it('.env.example defines every variable compose.yaml needs without a default, and nothing else is committed', () => {
    const text = fs.readFileSync(fromRoot('docker', 'compose.yaml'), 'utf8');
    const example = fs.readFileSync(fromRoot('docker', '.env.example'), 'utf8');
    const defined = new Set([...example.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const needed = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(:?\?[^}]*)?\}/g)].map((m) => m[1]);
    expect(needed.length).toBeGreaterThan(0);
    expect(needed.filter((n) => !defined.has(n))).toEqual([]);
    const ignored = execFileSync('git', ['check-ignore', '-q', 'docker/.env'], { cwd: repoRoot, stdio: 'ignore' });
    expect(ignored).toBeDefined(); // exit 0: docker/.env is ignored
  });

  it('publishes nothing beyond 127.0.0.1 by default but the receiver and Prosody; Kafka\'s HOST listener is SASL/SCRAM', () => {
    expect(checkExposure(rendered)).toEqual([]);
    const kafka = rendered.services.kafka!;
    expect(kafka.environment!.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toContain('HOST:SASL_PLAINTEXT');
    expect(kafka.environment!.KAFKA_LISTENER_NAME_HOST_SASL_ENABLED_MECHANISMS).toBe('SCRAM-SHA-512');
    expect(rendered.services['kafka-setup']?.environment?.KAFKA_HOST_PASSWORD).toBeTruthy();
    // the operator opts in to other interfaces: a bind address, still SCRAM
    const optIn = renderCompose(undefined, undefined, { KAFKA_HOST_BIND: '0.0.0.0', WATCHKEEPER_LOCAL_BIND: '0.0.0.0' }).rendered;
    expect(checkExposure(optIn).join('\n')).toContain('kafka: port 9094 is published on 0.0.0.0');
    expect(checkExposure(optIn).join('\n')).toContain('alert-dispatcher: port 8082 is published on 0.0.0.0');
  });

  describe('the check itself fails on drift', () => {
    it('flags a plaintext Kafka listener that is published', () => {
      const r = copy();
      r.services.kafka!.environment!.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP = 'LAB:PLAINTEXT,CONTROLLER:PLAINTEXT,HOST:PLAINTEXT';
      expect(checkExposure(r)).toEqual([expect.stringContaining('listener HOST (published port 9094) is PLAINTEXT')]);
    });

    it('flags a variable the app does not read', () => {
      const r = copy();
      r.services.receiver!.environment = { ...r.services.receiver!.environment, RECEIVER_FLAVOUR: 'x' };
      expect(added(check(r))).toEqual([expect.stringContaining('sets RECEIVER_FLAVOUR, which apps/receiver/src/config.ts does not read')]);
    });

    it('flags a port that is not the one the service listens on', () => {
      const r = copy();
      r.services['alert-dispatcher']!.ports = [{ target: 9999, published: 9999 }];
      const pv = configs.find((c) => c.app === 'alert-dispatcher')!.vars.find((v) => v.name === portVar('alert-dispatcher'))!;
      expect(added(check(r)).join('\n')).toContain(`listens on ${pv.default}`);
    });

    it('flags a loopback default left in place and a host that is no compose service', () => {
      const r = copy();
      delete r.services['heartbeat-server']!.environment!.KAFKA_BROKERS;
      r.services.receiver!.environment!.KAFKA_BROKERS = 'broker-that-does-not-exist:9092';
      const problems = added(check(r)).join('\n');
      expect(problems).toContain('heartbeat-server: KAFKA_BROKERS must be set');
      expect(problems).toContain('names host broker-that-does-not-exist');
    });

    it('flags a required variable that is not provided, and a literal secret', () => {
      const fake: AppConfig[] = configs.map((c) =>
        c.app === 'receiver'
          ? { ...c, vars: [...c.vars, { name: 'WK_FAKE_API_TOKEN', type: 'string', required: true, description: '', secret: true }] }
          : c,
      );
      expect(added(checkCompose(rendered, raw, fake, { composeDir, repoRoot }))).toEqual([expect.stringContaining('required variable WK_FAKE_API_TOKEN is not set')]);
      const r = copy();
      r.services.receiver!.environment!.WK_FAKE_API_TOKEN = 'literal-token-in-compose';
      expect(added(checkCompose(r, raw, fake, { composeDir, repoRoot }))).toEqual([expect.stringContaining('secret WK_FAKE_API_TOKEN must come from the env file')]);
    });

    it('flags a path setting outside the read-only container\'s volumes', () => {
      const fake: AppConfig[] = configs.map((c) =>
        c.app === 'heartbeat-client'
          ? { ...c, vars: [...c.vars, { name: 'WK_FAKE_STATE_DIR', type: 'string', default: './state', required: false, description: '', secret: false }] }
          : c,
      );
      expect(added(checkCompose(rendered, raw, fake, { composeDir, repoRoot }))).toEqual([expect.stringContaining('WK_FAKE_STATE_DIR=./state (/app/state) is outside every volume')]);
    });

    it('flags a URL to another service on a port that service does not listen on', () => {
      const fake: AppConfig[] = configs.map((c) =>
        c.app === 'receiver'
          ? { ...c, vars: [...c.vars, { name: 'WK_FAKE_PEER_URL', type: 'string', default: 'http://127.0.0.1:1', required: false, description: '', secret: false }] }
          : c,
      );
      const r = copy();
      r.services.receiver!.environment!.WK_FAKE_PEER_URL = 'http://heartbeat-server:9999/v1';
      expect(added(checkCompose(r, raw, fake, { composeDir, repoRoot }))).toEqual([expect.stringMatching(/WK_FAKE_PEER_URL=http:\/\/heartbeat-server:9999\/v1 but heartbeat-server listens on \d+/)]);
    });

    it('flags NODE_OPTIONS that differ from the bin\'s #! flags: missing, changed, or set for a bin without flags', () => {
      expect(rendered.services['heartbeat-server']!.environment!.NODE_OPTIONS).toBeTruthy();
      const r = copy();
      delete r.services['heartbeat-server']!.environment!.NODE_OPTIONS;
      expect(added(check(r))).toEqual([expect.stringMatching(/heartbeat-server: NODE_OPTIONS is not set; apps\/heartbeat-server's bin runs node with "--max-semi-space-size=\d+ --max-old-space-size=\d+"/)]);
      r.services['heartbeat-server']!.environment!.NODE_OPTIONS = '--max-old-space-size=512 --max-semi-space-size=8';
      expect(added(check(r))).toEqual([expect.stringContaining('heartbeat-server: NODE_OPTIONS is "--max-old-space-size=512 --max-semi-space-size=8"')]);
      const same = copy();
      same.services['heartbeat-server']!.environment!.NODE_OPTIONS = '--max-old-space-size=256   --max-semi-space-size=8'; // order and spacing do not matter
      expect(added(check(same))).toEqual([]);
      same.services['heartbeat-client']!.environment!.NODE_OPTIONS = '--max-old-space-size=128';
      expect(added(check(same))).toEqual([expect.stringContaining("heartbeat-client: NODE_OPTIONS=\"--max-old-space-size=128\" but apps/heartbeat-client's bin runs node without flags")]);
    });

    it('flags a writable log mount and a missing volume declaration', () => {
      const r = copy();
      r.services['log-collector']!.volumes = (r.services['log-collector']!.volumes ?? []).map((v) => (typeof v === 'string' ? v.replace(/:ro$/, ':rw') : { ...v, read_only: false }));
      delete r.volumes!['mongo-data'];
      const problems = added(check(r)).join('\n');
      expect(problems).toContain('/var/log must be mounted read-only');
      expect(problems).toContain('volume mongo-data is not declared');
    });
  });
});
