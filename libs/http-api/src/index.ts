export * from './errors';
export * from './validate';
export * from './error-handler';
export * from './http-api';
export * from './docs';
export * from './load-shedding';
export * from './serve';
export * from './openapi-fuzz';
