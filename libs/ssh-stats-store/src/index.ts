export * from './date-range';
export * from './ssh-event-model';
export * from './ssh-event-store';
export * from './ssh-migration';
export * from './ssh-sources';
export * from './ssh-docs';
export * from './consumed-events';
