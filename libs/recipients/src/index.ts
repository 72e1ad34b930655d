export * from './payloads';
export * from './webhook';
export * from './email';
export * from './console';
export * from './kafka';
export * from './xmpp';
export * from './factory';
