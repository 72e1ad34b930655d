export * from './secrets';
export * from './token-model';
export * from './token-store';
export * from './retired-host-model';
