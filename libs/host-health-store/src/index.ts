export * from './host-health-store';
export { QueueTimeout } from '@watchkeeper/outbox';
