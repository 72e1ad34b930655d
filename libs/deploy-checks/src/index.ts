export * from './paths';
export * from './tools';
export * from './app-configs';
export * from './compose-check';
export * from './k8s-check';
export * from './k8s-schemas';
export * from './render';
export * from './runtime-deps';
