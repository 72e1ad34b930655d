export * from './host-health-store';
