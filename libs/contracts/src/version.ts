/** Bumped when any contract changes incompatibly; topics carry their own `.vN`. */
export const SCHEMA_VERSION = '1';
