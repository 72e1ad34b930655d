export * from './log-collector/checkpoint.schema';
