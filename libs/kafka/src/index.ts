export * from './client';
export * from './errors';
export * from './producer';
export * from './producer-thread';
export * from './consumer';
export * from './consumer-lag';
export * from './topics-admin';
export * from './positioning';
