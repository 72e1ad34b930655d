export * from './sshd-parser';
export * from './sshd-message';
export * from './syslog-header';
export * from './address';
export * from './local-time';
export * from './year-clock';
export * from './synthetic-auth-log';
export * from './busy-host-log';
