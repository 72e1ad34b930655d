import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { binNodeFlags, nodeOptionsProblem } from './node-options';
import { repoRoot } from './paths';

describe('binNodeFlags', () => {
  it('reads the V8 flags of the heartbeat-server bin and none for a plain `#!/usr/bin/env node` bin', () => {
    expect(binNodeFlags(repoRoot, 'heartbeat-server')).toEqual(expect.arrayContaining([expect.stringMatching(/^--max-old-space-size=\d+$/)]));
    expect(binNodeFlags(repoRoot, 'heartbeat-client')).toEqual([]);
  });

  it('reads the bin named in package.json and refuses a first line that is not a node #! line', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-node-flags-'));
    try {
      fs.mkdirSync(path.join(root, 'apps/demo/bin'), { recursive: true });
      fs.writeFileSync(path.join(root, 'apps/demo/package.json'), JSON.stringify({ bin: { demo: 'bin/run.js' } }));
      fs.writeFileSync(path.join(root, 'apps/demo/bin/run.js'), '#!/usr/bin/env -S node --stack-size=2000 --max-old-space-size=64\n');
      expect(binNodeFlags(root, 'demo')).toEqual(['--stack-size=2000', '--max-old-space-size=64']);
      fs.writeFileSync(path.join(root, 'apps/demo/bin/run.js'), '#!/bin/sh\n');
      expect(() => binNodeFlags(root, 'demo')).toThrow(/not a node #! line/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('nodeOptionsProblem', () => {
  it('accepts the same flags in any order, and nothing for a bin without flags', () => {
    expect(nodeOptionsProblem('w', 'a', '--b=1  --a=2', ['--a=2', '--b=1'])).toBeNull();
    expect(nodeOptionsProblem('w', 'a', undefined, [])).toBeNull();
  });
  it('names a missing, partial or surplus flag set', () => {
    expect(nodeOptionsProblem('w', 'a', undefined, ['--a=2'])).toContain('NODE_OPTIONS is not set');
    expect(nodeOptionsProblem('w', 'a', '--a=2', ['--a=2', '--b=1'])).toContain('NODE_OPTIONS is "--a=2"');
    expect(nodeOptionsProblem('w', 'a', '--a=2', [])).toContain('runs node without flags');
  });
});
