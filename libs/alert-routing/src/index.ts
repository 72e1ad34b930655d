export * from './duration';
export * from './config-schema';
export * from './config-loader';
export * from './router';
export * from './silence-match';
export * from './silence-store';
export * from './routing-table';
