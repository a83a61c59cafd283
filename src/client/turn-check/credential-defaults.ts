// The defaults of turn-check's TURN REST flags, apart from the minting code (node:crypto) so that the
// command's help can name them without loading it at start-up.

/** The REST user when `--rest-user` is not given. */
export const DEFAULT_REST_USER = 'ice-doctor';
/** Lifetime of minted REST credentials when `--rest-ttl` is not given, in seconds. */
export const DEFAULT_REST_TTL_S = 3600;
