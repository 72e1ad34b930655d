/** Bumped when any contract changes incompatibly; topics carry their own `.vN`. */
export const SCHEMA_VERSION = '1';

/** The contract versions a client may name in `X-Schema-Version` (absent: the current one). */
export const KNOWN_SCHEMA_VERSIONS: readonly string[] = [SCHEMA_VERSION];
