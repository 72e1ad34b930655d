export * from './engine';
export * from './ingest';
export * from './accounting';
export * from './api';
export * from './history-query';
export * from './metrics';
export * from './recent-ids';
export * from './migrate-history';
