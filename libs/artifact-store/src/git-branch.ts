import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CommitHash } from '@watchkeeper/contracts';

const run = promisify(execFile);

/**
 * The newest `count` commits of `ref` in the git clone at `dir`, newest first (first-parent: the
 * branch's own history, as the original gate followed it). The clone is read, never fetched: keeping
 * it current (a cron `git fetch`, a deploy hook) is the operator's.
 */
export async function branchCommits(dir: string, ref: string, count: number, gitBin = 'git'): Promise<string[]> {
  const { stdout } = await run(gitBin, ['-C', dir, 'rev-list', '--first-parent', `--max-count=${count}`, ref, '--'], { timeout: 10_000, maxBuffer: 1 << 20 });
  const commits = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!commits.length || !commits.every((c) => CommitHash.safeParse(c).success)) throw new Error(`git rev-list ${ref} in ${dir} gave no commits`);
  return commits;
}
