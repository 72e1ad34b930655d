export * from './group-commit';
export type { OutboxEntry } from '@watchkeeper/dal/shared';
export * from './outbox';
