// The alert-dispatcher's collections: models, documents and indexes (names in `COLLECTIONS.alertDispatcher`).
export * from './alert-dispatcher/silence.schema';
export * from './alert-dispatcher/alert-state.schema';
export * from './alert-dispatcher/alert-history.schema';
export * from './alert-dispatcher/delivery.schema';
