export * from './engine';
export * from './ingest';
export * from './accounting';
export * from './api';
export * from './metrics';
export * from './recent-ids';
