export * from './shared/outbox.schema';
