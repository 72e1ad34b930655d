export * from './errors';
export * from './artifact-model';
export * from './artifact-store';
export * from './code-version-gate';
export * from './metadata';
