import { z } from 'zod';
import { transportAddressSchema } from './schema.js';

/**
 * The one line `ice-doctor serve --json` prints on stdout once every listener is up: the contract of the
 * bundled server with whoever starts it (tests, the benches, the NAT lab, an operator's script). Built by
 * src/cli/render/serve.ts `serveJson` through {@link ServeLine}; read with {@link parseServeLine}. Ports
 * are the bound ones (`--port 0` picks them).
 */

/** A port range, inclusive (`--relay-ports`). */
const portRangeSchema = z.strictObject({
  min: z.number().int().min(0).max(65535),
  max: z.number().int().min(0).max(65535),
});

/** One address family the TURN server relays (RFC 8656 §7.1): the local relay IP, its ports, and the IP advertised. */
const relayFamilySchema = z.strictObject({
  family: z.enum(['IPv4', 'IPv6']),
  ip: z.string(),
  ports: portRangeSchema,
  /** `--external-ip` of this family: what XOR-RELAYED-ADDRESS carries instead of `ip`. */
  externalIp: z.string().optional(),
});

/** The TLS certificate of `turns:` (and of the report page when it shares it). */
const certificateSchema = z.strictObject({
  selfSigned: z.boolean(),
  /** SHA-256 fingerprint, colon-separated hex as Node prints it. */
  fingerprint256: z.string(),
  /** Subject alternative names. */
  names: z.array(z.string()),
  /** Expiry, as the certificate states it. */
  notAfter: z.string(),
});

/** The TURN side (RFC 8656): client endpoints, authentication, relay, peer policy. */
const serveTurnSchema = z.strictObject({
  /** A1:P1 of each family over UDP and TCP; the TLS listener(s) (`turns:`), empty with `--no-tls`. */
  udp: z.array(transportAddressSchema),
  tcp: z.array(transportAddressSchema),
  tls: z.array(transportAddressSchema),
  /**
   * The TURN URLs clients should use, as the report page gets them: `turn:` UDP and TCP on the IP literals
   * (an `--external-ip` in place of its listening IP), then `turns:` on the first `--public-host` when set
   * (the name a certificate is for), else on the IP literals.
   */
  urls: z.array(z.string()),
  realm: z.string(),
  /** `--user` names (never passwords). */
  usernames: z.array(z.string()),
  /** The user generated when neither `--user` nor `--auth-secret` was given, password included. */
  generatedUser: z.strictObject({ username: z.string(), password: z.string() }).nullable(),
  /** How many `--auth-secret`s (TURN REST) the operator configured; the page's own is not counted. */
  authSecrets: z.number().int().min(0),
  relay: z.array(relayFamilySchema),
  relayFamilies: z.array(z.enum(['IPv4', 'IPv6'])),
  /** Peer ranges allowed despite the deny-by-default policy (`--allow-peer`). */
  allowPeers: z.array(z.string()),
  /** True when `allowPeers` is the loopback default of an all-loopback server, not the operator's. */
  allowPeersDefaulted: z.boolean(),
  certificate: certificateSchema.nullable(),
  /** The Prometheus endpoint's URL with `--metrics-port`, else null. */
  metricsUrl: z.string().nullable(),
});

/** The process's descriptor budget (src/cli/commands/serve-fds.ts `FdReport`). */
const serveFdsSchema = z.strictObject({
  /** RLIMIT_NOFILE soft and hard limits; null: unlimited or unknown. */
  soft: z.number().int().nullable(),
  hard: z.number().int().nullable(),
  /** TCP/TLS/HTTP(S) connections accepted at once over every listener, and per client IP (IPv6: /64). */
  connections: z.number().int().min(0),
  connectionsPerIp: z.number().int().min(0),
  /** Relay sockets (one per allocation) the limit leaves when `connections` are open. */
  relaySockets: z.number().int(),
});

/** The `serve --json` line. */
export const serveLineSchema = z.strictObject({
  /** STUN (RFC 5780) UDP sockets in role order A1:P1, A1:P2, A2:P1, A2:P2 per family. */
  udp: z.array(transportAddressSchema),
  /** TCP listening sockets, same order; empty with `--no-tcp`. */
  tcp: z.array(transportAddressSchema),
  /** OTHER-ADDRESS of the primary (A2:P2), null with one IP. */
  otherAddress: transportAddressSchema.nullable(),
  /** SO_RCVBUF of the UDP sockets, in bytes: asked (0: kernel default) and granted (the smallest read back). */
  udpReceiveBuffer: z.strictObject({ requested: z.number().int().min(0), granted: z.number().int().min(0) }),
  /** One sentence per RFC 5780 test this setup cannot serve; empty for a full RFC 5780 server. */
  limitations: z.array(z.string()),
  fds: serveFdsSchema,
  turn: serveTurnSchema,
  /**
   * The report page, null with `--no-report`: its HTTP and HTTPS URLs on the listening address (either null
   * when its port is off); the first `--public-host` (null: none) and the page's URLs on that name with the
   * same ports (null without a public host or with that port off), the ones to give visitors.
   */
  report: z
    .strictObject({
      url: z.string().nullable(),
      httpsUrl: z.string().nullable(),
      publicHost: z.string().nullable(),
      publicUrl: z.string().nullable(),
      publicHttpsUrl: z.string().nullable(),
    })
    .nullable(),
});

/** The `serve --json` line, parsed. */
export type ServeLine = z.infer<typeof serveLineSchema>;

/**
 * Parses one `serve --json` line.
 * @throws SyntaxError when `line` is not JSON; ZodError when it does not match {@link serveLineSchema}.
 */
export function parseServeLine(line: string): ServeLine {
  return serveLineSchema.parse(JSON.parse(line));
}
