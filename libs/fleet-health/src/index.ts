export * from './request-log';
export * from './detectors';
export * from './stateful-alerts';
export * from './fleet-health-monitor';
export * from './periodic';
