export * from './secrets';
export * from './token-store';
