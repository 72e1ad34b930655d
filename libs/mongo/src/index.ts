export * from './connection';
export * from './availability';
export * from './bulk';
