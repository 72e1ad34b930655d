// The receiver's collections: models, documents and indexes (names in `COLLECTIONS.receiver`).
export * from './receiver/artifact.schema';
export * from './receiver/version-gate.schema';
export * from './receiver/host-token.schema';
export * from './receiver/retired-host.schema';
export * from './receiver/host-health.schema';
export * from './receiver/request-log.schema';
export * from './receiver/stateful-alert.schema';
export * from './receiver/window-snapshot.schema';
export * from './receiver/ssh-stats.docs';
