import * as path from 'node:path';

/** The repository root (this file lives in libs/deploy-checks/src or …/dist). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const fromRoot = (...parts: string[]): string => path.join(repoRoot, ...parts);
