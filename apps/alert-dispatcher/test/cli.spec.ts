import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Runs the built bin (`npx tsc -b` first; npm test does): a bad routing file stops it with the line and reason.
const bin = path.join(__dirname, '../bin/watchkeeper-alert-dispatcher.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', WATCHKEEPER_ADMIN_TOKEN: 'x'.repeat(20), ...env }, encoding: 'utf8', timeout: 20_000 });

describe('watchkeeper-alert-dispatcher bin', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-ad-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts the example routing file', () => {
    const r = run(['check-config', path.join(__dirname, '../config/routing.example.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/ok \(6 recipients, 3 pools\)/);
    expect(r.status).toBe(0);
  });

  it('refuses to start with a bad routing file, naming the line and the reason (exit 78)', () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'recipients:\n  hook:\n    type: webhook\n    url: nope\npools:\n  - name: all\n    recipients: [hook, ghost]\n');
    const r = run([], { ALERT_DISPATCHER_ROUTING_FILE: file });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain(`invalid routing config ${file}`);
    expect(r.stderr).toMatch(/line 4, col \d+ \(recipients\.hook\.url\): Invalid URL/);
    expect(r.stderr).toMatch(/line 7, col \d+ \(pools\.0\.recipients\.1\): unknown recipient "ghost"/);
  });

  it('names a missing variable', () => {
    const r = run([], {});
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/ALERT_DISPATCHER_ROUTING_FILE.*not set/);
  });
});
