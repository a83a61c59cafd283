// The bundled server's default ports, apart from the modules that use them (zod, node:crypto …) so that
// `serve --help`, bundled into the CLI's start-up file, can name them without loading those.

/** The IANA STUN/TURN port (RFC 8489 §18.5): the default primary port P1 of every listener set. */
export const DEFAULT_PORT = 3478;
/** The IANA port of STUN/TURN over TLS (RFC 8489 §18.5, `turns:`): the default TLS listener port. */
export const DEFAULT_TLS_PORT = 5349;
