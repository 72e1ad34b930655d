export * from './line-splitter';
export * from './log-input';
export * from './file-identity';
export * from './event-id';
