export * from './group-commit';
export * from './outbox-model';
export * from './outbox';
