export * from './auth';
export * from './classify-errors';
export * from './deps';
export * from './receiver-http';
export * from './openapi-document';
