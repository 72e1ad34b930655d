export * from './config';
export * from './logger';
export * from './metrics';
export * from './http';
export * from './lifecycle';
export * from './cli';
export * from './backoff';
export * from './wait-for';
