export * from './types';
export * from './admission';
export * from './rate-limiter';
export * from './retry-after';
export * from './queue-store';
export * from './worker';
