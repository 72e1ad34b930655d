export * from './ssh-stats-accumulator';
export * from './session-spans';
export * from './calendar-day';
