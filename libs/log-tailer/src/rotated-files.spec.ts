import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listRotated, youngerThan } from './rotated-files';

describe('rotated generations', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-rot-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const touch = (name: string, mtimeS: number) => {
    fs.writeFileSync(path.join(dir, name), name);
    fs.utimesSync(path.join(dir, name), mtimeS, mtimeS);
  };

  it('lists only rotation names, and orders younger numbered generations oldest first', async () => {
    for (const [n, t] of [['auth.log', 9], ['auth.log.1', 8], ['auth.log.2.gz', 7], ['auth.log.3.gz', 6], ['auth.log.4.gz', 5], ['auth.log.truth', 10], ['auth.log.bak', 10], ['auth.logger', 10]] as const) touch(n, t);
    const all = await listRotated(path.join(dir, 'auth.log'));
    expect(all.map((f) => path.basename(f.file)).sort()).toEqual(['auth.log.1', 'auth.log.2.gz', 'auth.log.3.gz', 'auth.log.4.gz']);
    const ref = all.find((f) => f.file.endsWith('.3.gz'))!;
    expect(youngerThan(all, ref).map((f) => path.basename(f.file))).toEqual(['auth.log.2.gz', 'auth.log.1']);
  });

  it('orders dateext generations by modification time', async () => {
    for (const [n, t] of [['secure-20240301', 1], ['secure-20240308.gz', 2], ['secure-20240315', 3]] as const) touch(n, t);
    const all = await listRotated(path.join(dir, 'secure'));
    const ref = all.find((f) => f.file.endsWith('0301'))!;
    expect(youngerThan(all, ref).map((f) => path.basename(f.file))).toEqual(['secure-20240308.gz', 'secure-20240315']);
  });
});
