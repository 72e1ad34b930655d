export * from './auth';
export * from './classify-errors';
export * from './deps';
export * from './receiver-http';
export * from './openapi-document';
export * from './change-feed';
export { EVENT_STREAM_PATH, MAX_EVENT_STREAMS } from './routes/events';
