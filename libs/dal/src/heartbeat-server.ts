export * from './heartbeat-server/listener.schema';
