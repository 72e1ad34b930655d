export * from './connection';
export * from './availability';
