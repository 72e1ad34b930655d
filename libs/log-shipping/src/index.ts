export * from './batch-shipper';
export * from './file-shipper';
export * from './journal-shipper';
export * from './metrics';
export * from './ssh-event-encoder';
