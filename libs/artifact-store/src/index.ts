export * from './errors';
export * from './artifact-store';
export * from './code-version-gate';
export * from './metadata';
export * from './version-gate-store';
export * from './git-branch';
