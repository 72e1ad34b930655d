export * from './ssh-stats-accumulator';
export * from './session-spans';
export * from './calendar-day';
export * from './ipv4-key';
export * from './pid-sessions';
