export * from './connection';
export * from './availability';
export * from './bulk';
export * from './bulk-write-chunked';
export * from './day-collections';
