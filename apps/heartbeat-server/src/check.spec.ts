import { parseCheckArgs, runCheck } from './check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedByNode } from '@watchkeeper/heartbeat';
import { configSchema, planOf } from './config';
import { loadConfig } from '@watchkeeper/runtime';

describe('check arguments and config', () => {
  it('parses the plugin options and rejects bad ones', () => {
    expect(parseCheckArgs(['--node', 'hb', '--listener', 'a@h', '-w', '1.5', '-c', '3', '--once'])).toMatchObject({ node: 'hb', listener: 'a@h', warnRttS: 1.5, critRttS: 3, once: true });
    expect(() => parseCheckArgs(['-w', '5', '-c', '2'])).toThrow(/-w must not exceed -c/);
    expect(() => parseCheckArgs(['--bogus'])).toThrow(/unknown option/);
  });

  it('a usage error is UNKNOWN (exit 3) with one status line', async () => {
    const out: string[] = [];
    expect(await runCheck(['-w'], (s) => out.push(s))).toBe(3);
    expect(out).toEqual(['HEARTBEAT UNKNOWN - -w needs a positive number of seconds']);
  });

  it('expected listeners per node; timeout must be shorter than the interval', () => {
    expect(expectedByNode(['a', 'b'], ['x@h', 'b:y@h'])).toEqual({ a: ['x@h'], b: ['y@h'] });
    expect(() => loadConfig(configSchema, { HEARTBEAT_INTERVAL_MS: '1000', HEARTBEAT_TIMEOUT_MS: '1000' })).toThrow(/HEARTBEAT_TIMEOUT_MS must be shorter/);
  });

  it('no per-node config: the single-node variables are the default node, as before', () => {
    const plan = planOf(loadConfig(configSchema, { HEARTBEAT_EXPECTED: 'a@h1,b@h2' }));
    expect(plan).toEqual({ nodes: ['watchkeeper.heartbeat'], expected: { 'watchkeeper.heartbeat': ['a@h1', 'b@h2'] }, perNode: {}, publishModel: {} });
  });

  it('per-node JSON: own interval, timeout, expected listeners and publish model beside the env default node', () => {
    const c = loadConfig(configSchema, {
      HEARTBEAT_NODES: 'native',
      HEARTBEAT_EXPECTED: 'n1@h',
      HEARTBEAT_PUBLISH_MODEL: 'subscribers',
      HEARTBEAT_NODE_CONFIG: JSON.stringify({ seed: { intervalMs: 30000, timeoutMs: 20000, expected: ['gracedb@ldas-1'], publishModel: 'open' } }),
    });
    const plan = planOf(c);
    expect(plan.nodes).toEqual(['native', 'seed']);
    expect(plan.expected).toEqual({ native: ['n1@h'], seed: ['gracedb@ldas-1'] });
    expect(plan.perNode.seed).toMatchObject({ intervalMs: 30000, timeoutMs: 20000 });
    expect(plan.publishModel).toEqual({ native: 'subscribers', seed: 'open' });
  });

  it("the seed's own config.ini works as a node config file (sections, seconds, 'name user hostname' lines)", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wk-nodes-')), 'config.ini');
    writeFileSync(file, ['[emfollow]', 'server = localhost', 'netrc = ~/.netrc', 'wait = 1.0', 'timeout = 30.0', 'interval = 60', 'responses = name1 user1 hostname1', '            name2 user2 hostname2', 'publish_model = open', ''].join('\n'));
    const plan = planOf(loadConfig(configSchema, { HEARTBEAT_NODE_CONFIG_FILE: file }), 'localhost');
    expect(plan.nodes).toEqual(['emfollow']); // no HEARTBEAT_NODES: only the file's nodes
    expect(plan.expected.emfollow).toEqual(['name1@hostname1', 'name2@hostname2']);
    expect(plan.perNode.emfollow).toMatchObject({ intervalMs: 60000, timeoutMs: 30000 });
    expect(() => planOf(loadConfig(configSchema, { HEARTBEAT_NODE_CONFIG_FILE: file }), 'other.example')).toThrow(/names server localhost/);
  });

  it('a bad per-node config stops the start and says why', () => {
    expect(() => loadConfig(configSchema, { HEARTBEAT_NODE_CONFIG: '{"n": {"timeoutMs": 5000, "intervalMs": 1000}}' })).toThrow(/HEARTBEAT_NODE_CONFIG: .*timeoutMs must be shorter/);
    expect(() => loadConfig(configSchema, { HEARTBEAT_NODE_CONFIG: '{"n": {"intervalMs": 1000}}' })).toThrow(/node n: timeout 5000 ms must be shorter than its interval 1000 ms/);
    expect(() => loadConfig(configSchema, { HEARTBEAT_NODE_CONFIG: '{"n": {"bogus": 1}}' })).toThrow(/bogus/);
    expect(() => loadConfig(configSchema, { HEARTBEAT_NODE_CONFIG: '{"n": {"publishModel": "anyone"}}' })).toThrow(/publishModel/);
    expect(() => loadConfig(configSchema, { HEARTBEAT_NODE_CONFIG_FILE: '/nonexistent/nodes.ini' })).toThrow(/HEARTBEAT_NODE_CONFIG_FILE: cannot read/);
  });
});
