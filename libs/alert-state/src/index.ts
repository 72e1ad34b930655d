export * from './transition';
export * from './state-store';
export * from './history-store';
