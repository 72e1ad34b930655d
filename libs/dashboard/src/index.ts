export * from './dashboard-router';
export * from './proxy-routes';
export * from './upstream';
export * from './ingest-routes';
