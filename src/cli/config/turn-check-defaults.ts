// The defaults of turn-check's TURN REST flags, apart from turn-check-credentials.ts (its minting code
// loads node:crypto) so that the command's help, bundled into the start-up file, can name them.

/** The REST user when `--rest-user` is not given. */
export const DEFAULT_REST_USER = 'ice-doctor';
/** Lifetime of minted REST credentials when `--rest-ttl` is not given, in seconds. */
export const DEFAULT_REST_TTL_S = 3600;
