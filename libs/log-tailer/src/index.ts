export * from './line-splitter';
export * from './log-input';
export * from './file-identity';
export * from './event-id';
export * from './file-follower';
export * from './checkpoint-store';
export * from './journal-follower';
export * from './journal-cursor-store';
