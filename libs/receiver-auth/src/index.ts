export * from './secrets';
export * from './token-model';
export * from './token-store';
