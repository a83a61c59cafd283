import { z } from 'zod';
import { transportAddressSchema } from './address-schema.js';
import {
  type behaviourSchema,
  type legacyNatTypeSchema,
  natVerdictShape,
  reachabilitySchema,
  testResultSchema,
  udpStatusSchema,
} from './nat-verdict-schema.js';
import { pathMtuSchema } from './path-mtu-schema.js';
import { portMappingSchema } from './port-mapping-schema.js';
import { familyProbeSchema } from './probe-family-schema.js';
import { proxyUseSchema, viaProxySchema } from './proxy-schema.js';
import { turnAlternateSchema, turnNodeSchema } from './turn-node-schema.js';
import { relayQualitySchema } from './turn-quality-schema.js';
import { relayReachSchema } from './turn-reach-schema.js';
import { tlsAuditSchema } from './turn-tls-schema.js';

/**
 * The one report schema (schemaVersion 1) shared by `ice-doctor probe --json`, the page's export and the
 * server API. Field meanings follow RFC 4787 (mapping/filtering), RFC 5780 (tests) and RFC 3489 (legacy
 * label). Every `null` verdict has a reason in `reasons`.
 */

export { transportAddressSchema } from './address-schema.js';
export {
  behaviourSchema,
  legacyNatTypeSchema,
  type NatVerdictField,
  natVerdictShape,
  reachabilitySchema,
  testResultSchema,
} from './nat-verdict-schema.js';

/** A server that sent OTHER-ADDRESS but failed the RFC 5780 checks, and why (it is not used for RFC 5780 tests). */
export const untrustedServerSchema = z.object({ url: z.string(), reason: z.string() });

export const probeReportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.literal('ice-doctor'),
  kind: z.literal('probe'),
  startedAt: z.string(),
  servers: z.array(z.string()),
  ...natVerdictShape,
  /** True: UDP works; false: UDP blocked (see `udpStatus`); null: unknown, with `reasons.udp`. */
  udp: z.boolean().nullable(),
  udpStatus: udpStatusSchema,
  /** The server the RFC 5780 tests were run against (the first that proved it serves RFC 5780), or null. */
  rfc5780Server: z.string().nullable(),
  untrustedServers: z.array(untrustedServerSchema),
  localAddress: transportAddressSchema.nullable(),
  /**
   * How mapping was judged: RFC 5780 §4.3 against one server, comparing mapped addresses across servers, or
   * `local-address` (the mapped address is this host's own: no NAT, so nothing is translated).
   */
  mappingMethod: z.enum(['rfc5780', 'multi-server', 'local-address', 'none']),
  portPreservation: z.boolean().nullable(),
  /** Binding lifetime in seconds (RFC 5780 §4.6), when measured: a lower bound and an upper bound. */
  bindingLifetime: z.object({ minS: z.number(), maxS: z.number().nullable() }).nullable(),
  /** Whether the RFC 5780 server honoured CHANGE-REQUEST; null when not tested. */
  serverHonoursChangeRequest: z.boolean().nullable(),
  summary: z.string(),
  reachability: z.array(reachabilitySchema),
  tests: z.array(testResultSchema),
  durationMs: z.number(),
  /** Each address family probed on its own (dual stack); absent in reports written before issue 16. */
  ipv4: familyProbeSchema.optional(),
  ipv6: familyProbeSchema.optional(),
  /** The local gateway's port-mapping protocols and the upstream-NAT verdict; absent when not run. */
  portMapping: portMappingSchema.optional(),
  /** The largest UDP datagram that reached the server and came back; absent when not run. */
  pathMtu: pathMtuSchema.optional(),
  /** The keep-alive interval in seconds that keeps the measured binding open; absent when not measured. */
  keepAliveS: z.number().optional(),
  /** The HTTP CONNECT proxy TCP/TLS went through; absent when none was used. */
  proxy: proxyUseSchema.optional(),
});

export type TransportAddressJson = z.infer<typeof transportAddressSchema>;
export type Behaviour = z.infer<typeof behaviourSchema>;
export type LegacyNatType = z.infer<typeof legacyNatTypeSchema>;
export type TestResult = z.infer<typeof testResultSchema>;
export type Reachability = z.infer<typeof reachabilitySchema>;
export type UdpStatus = z.infer<typeof udpStatusSchema>;
export type ProbeReport = z.infer<typeof probeReportSchema>;

/** The bundled server as the self-test ran it. */
export const selfTestServerSchema = z.object({
  udp: z.array(transportAddressSchema),
  tcp: z.array(transportAddressSchema),
  otherAddress: transportAddressSchema.nullable(),
  limitations: z.array(z.string()),
});

/**
 * The steps of `ice-doctor turn-check`, in the order they run (RFC 8656): `peer-*` steps belong to the second
 * allocation on the same server, which serves as the first one's peer; `bound-send-indication` steps run
 * only when ChannelData did not come through, to tell which direction drops it; `family-allocate` asks for a
 * relay of the other address family (RFC 8656 REQUESTED-ADDRESS-FAMILY) once the first Allocate was answered.
 */
export const turnStepNameSchema = z.enum([
  'resolve',
  'connect',
  'allocate',
  'peer-allocate',
  'create-permission',
  'peer-create-permission',
  'send-indication',
  'peer-send-indication',
  'channel-bind',
  'peer-channel-bind',
  'channel-data',
  'peer-channel-data',
  'bound-send-indication',
  'peer-bound-send-indication',
  'refresh',
  'delete',
  'deleted-check',
  'peer-delete',
  'family-allocate',
]);

/** What went wrong (or deserves a warning), one code per cause; the message says it in plain words. */
export const turnDiagnosisCodeSchema = z.enum([
  'resolve-failed',
  'tcp-port-closed',
  'udp-port-unreachable',
  'connect-timeout',
  'connection-failed',
  'tls-self-signed',
  'tls-expired',
  'tls-not-yet-valid',
  'tls-wrong-name',
  'tls-unknown-ca',
  'tls-incomplete-chain',
  'tls-not-verified',
  'udp-silent',
  'no-answer',
  'connection-closed',
  'unparseable-response',
  'deadline-exceeded',
  'wrong-credentials',
  'stale-nonce-loop',
  'bad-auth-challenge',
  'forbidden',
  'forbidden-peer',
  'quota-reached',
  'insufficient-capacity',
  'unsupported-transport',
  'allocation-mismatch',
  'error-response',
  'integrity-missing',
  'integrity-invalid',
  'relayed-address-missing',
  'relay-address-private',
  'relay-no-data',
  'no-channel-data',
  'channel-data-ignored',
  'refresh-lifetime',
  'allocation-not-deleted',
  'deleted-allocation-silent',
  'credentials-rejected-400',
  'tls-no-handshake',
  'tls-issuer-unknown',
  'address-family-not-relayed',
  'relay-loss-high',
  'relay-rtt-high',
  'relay-jitter-high',
  'relay-datagram-black-hole',
  'relay-only-inside',
  'relay-ports-closed',
  'relay-ports-partly-closed',
  'relay-one-way',
  'relay-address-not-public',
  'tls-expiring-soon',
  'alternate-not-followed',
  'node-not-checked-here',
  'only-tls-443-via-proxy',
]);

/** One step of a TURN check: its verdict, how long it took, how many requests it sent. */
export const turnStepSchema = z.object({
  name: turnStepNameSchema,
  /** `warn`: the step ran and the server worked, but something it should have said was not observed. */
  status: z.enum(['ok', 'warn', 'fail', 'skipped']),
  /** Wall time of the step in ms; null when skipped. */
  durationMs: z.number().nullable(),
  /** Requests, indications or ChannelData messages sent, retransmissions included. */
  sent: z.number().int().min(0),
  detail: z.string(),
});

/** One finding: `fail` makes the check fail, `warn` does not. */
export const turnDiagnosisSchema = z.object({
  code: turnDiagnosisCodeSchema,
  severity: z.enum(['fail', 'warn']),
  /** The step it was found at, or null when it concerns the whole check. */
  step: turnStepNameSchema.nullable(),
  /** What is wrong, in plain words, with what to change. */
  message: z.string(),
});

/** One TURN URL over one transport. */
export const turnTargetReportSchema = z.object({
  /** Normalised: `turn:host:port?transport=udp|tcp` or `turns:host:port`. */
  url: z.string(),
  transport: z.enum(['udp', 'tcp', 'tls']),
  server: transportAddressSchema.nullable(),
  ok: z.boolean(),
  credentials: z.enum(['long-term', 'rest']),
  username: z.string(),
  realm: z.string().nullable(),
  /** Whether the TLS certificate was verified; null for udp/tcp. */
  tlsVerified: z.boolean().nullable(),
  relayedAddress: transportAddressSchema.nullable(),
  peerRelayedAddress: transportAddressSchema.nullable(),
  mappedAddress: transportAddressSchema.nullable(),
  /** LIFETIME granted by the Allocate success response, in seconds. */
  lifetimeS: z.number().nullable(),
  /**
   * Whether the server relays each address family (RFC 8656 §7.1 REQUESTED-ADDRESS-FAMILY): true (an
   * allocation of it succeeded), false (440 Address Family not Supported), null (not asked, or no clear
   * answer).
   */
  relayFamilies: z.object({ IPv4: z.boolean().nullable(), IPv6: z.boolean().nullable() }),
  steps: z.array(turnStepSchema),
  diagnoses: z.array(turnDiagnosisSchema),
  durationMs: z.number(),
  /** Relayed addresses reached from outside the TURN host (`turn-reach-schema.ts`); absent when not run. */
  outsideReach: relayReachSchema.optional(),
  /** RTT, loss, jitter and largest datagram through the relay (`turn-quality-schema.ts`); absent when not run. */
  quality: relayQualitySchema.optional(),
  /** The `turns:` certificate audit (`turn-tls-schema.ts`); absent for udp/tcp or when no certificate was seen. */
  certificate: tlsAuditSchema.optional(),
  /** Which address of a multi-address host name this target checked (`turn-node-schema.ts`). */
  node: turnNodeSchema.optional(),
  /** A 300 Try Alternate the server answered, and whether it was followed. */
  alternate: turnAlternateSchema.optional(),
  /** True when this target's TCP/TLS went through the HTTP CONNECT proxy (`proxy-schema.ts`). */
  viaProxy: viaProxySchema,
});

/** What `ice-doctor turn-check --json` prints. */
export const turnCheckReportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.literal('ice-doctor'),
  kind: z.literal('turn-check'),
  startedAt: z.string(),
  ok: z.boolean(),
  summary: z.string(),
  targets: z.array(turnTargetReportSchema),
  durationMs: z.number(),
  /** The HTTP CONNECT proxy TCP/TLS targets went through; absent when none was used. */
  proxy: proxyUseSchema.optional(),
});

export type TurnStepName = z.infer<typeof turnStepNameSchema>;
export type TurnDiagnosisCode = z.infer<typeof turnDiagnosisCodeSchema>;
export type TurnStep = z.infer<typeof turnStepSchema>;
export type TurnDiagnosis = z.infer<typeof turnDiagnosisSchema>;
export type TurnTargetReport = z.infer<typeof turnTargetReportSchema>;
export type TurnCheckReport = z.infer<typeof turnCheckReportSchema>;

/**
 * What `ice-doctor` (no subcommand) prints with `--json`: the probe of the public servers (null when they
 * are unreachable, with the one-line reason; `publicReachability` keeps each server's reason) and the
 * self-test of the bundled STUN/TURN server on loopback: its RFC 5780 probe and a TURN check end to end.
 */
export const diagnosisReportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.literal('ice-doctor'),
  kind: z.literal('diagnosis'),
  public: probeReportSchema.nullable(),
  publicUnreachable: z.string().nullable(),
  /**
   * Each public server URL and transport as the probe found it — reachable, or the reason it was not (DNS
   * failure, no answer before the deadline …) — also when `public` is null. Optional: reports written
   * before it was added lack it.
   */
  publicReachability: z.array(reachabilitySchema).optional(),
  selfTest: z.object({
    server: selfTestServerSchema,
    probe: probeReportSchema,
    /** `ice-doctor turn-check` run against the bundled TURN server over UDP, TCP and TLS. */
    turn: turnCheckReportSchema,
  }),
  durationMs: z.number(),
});

export type DiagnosisReport = z.infer<typeof diagnosisReportSchema>;
