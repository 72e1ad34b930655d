export * from './ssh-event-model';
export * from './date-range';
export * from './ssh-event-store';
export * from './ssh-sources';
