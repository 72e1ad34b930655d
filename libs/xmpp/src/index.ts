export * from './xml';
export * from './netrc';
export * from './credentials';
export * from './session';
export * from './pubsub';
