import { z } from 'zod';
import { outsideReachSchema } from './browser-reach-schema.js';
import { natVerdictShape, transportAddressSchema } from './schema.js';

/**
 * The report the web page exports (`kind: 'browser'`, schemaVersion 1): what the visitor's own browser saw.
 * Its NAT fields (`udp`, `publicAddress`, `natPresent`, `mapping`, `mappingMethod`, `filtering`,
 * `legacyNatType`, `hairpinning`, `reasons`) have the same names, values and meanings as in
 * `ice-doctor probe --json`, so a consumer reads either report the same way. Times are ms since the page's
 * run started (`...Ms`); candidate fields follow RFC 8445 §5.1.2 (priority) and the W3C WebRTC
 * `RTCIceCandidate` / `RTCIceCandidatePairStats` dictionaries.
 */

/** The path kinds of the page's path matrix: one peer connection per configured URL × transport. */
export const pathKindSchema = z.enum(['stun', 'turn-udp', 'turn-tcp', 'turns']);

/**
 * The inclusive UDP port range a TURN server relays from (its relayed transport addresses, RFC 8656 §6.2),
 * e.g. 49152–65535: what a firewall must let through for relayed media. Known for the bundled server only.
 */
export const relayPortRangeSchema = z.object({
  min: z.number().int().min(1).max(65535),
  max: z.number().int().min(1).max(65535),
});

/** `RTCIceTransportPolicy` (W3C WebRTC §4.2.5): every candidate type, or relay candidates only. */
export const iceTransportPolicySchema = z.enum(['all', 'relay']);

/** ICE candidate types (RFC 8445 §5.1.1). */
export const candidateTypeSchema = z.enum(['host', 'srflx', 'prflx', 'relay']);

/** One gathered candidate, as the page trickled it (RFC 8839 §5.1 candidate-attribute, decoded). */
export const browserCandidateSchema = z.object({
  /**
   * Which peer connection gathered it: a path of the matrix (`targets[].id`), `call` for the policy-`all` call,
   * or `mapping` for the mapping probe (one connection asking every STUN server IP at once).
   */
  pathId: z.string(),
  tMs: z.number(),
  type: candidateTypeSchema,
  foundation: z.string(),
  protocol: z.enum(['udp', 'tcp']),
  /** An IP, an mDNS `.local` name, or `redacted`. */
  address: z.string(),
  port: z.number().int().min(0).max(65535),
  priority: z.number().int().min(0),
  /** RFC 8445 §5.1.2.1: priority = 2^24·typePreference + 2^8·localPreference + (256 − component). */
  typePreference: z.number().int().min(0).max(126),
  localPreference: z.number().int().min(0).max(65535),
  component: z.number().int().min(1).max(256),
  relatedAddress: z.string().nullable(),
  relatedPort: z.number().int().min(0).max(65535).nullable(),
  /** How the browser reached the TURN server for a relay candidate (`udp`, `tcp`, `tls`). */
  relayProtocol: z.enum(['udp', 'tcp', 'tls']).nullable(),
  /** The STUN/TURN URL that produced it; null for host candidates. */
  url: z.string().nullable(),
});

/** One `icecandidateerror` event, with its explanation in plain words. */
export const candidateErrorSchema = z.object({
  pathId: z.string(),
  tMs: z.number(),
  url: z.string(),
  /** STUN error code (RFC 8489 §14.8: 401, 403, 486 …) or 7xx from the browser (701: no response). */
  errorCode: z.number().int(),
  errorText: z.string(),
  /** The local address the browser used (often partly hidden by the browser, e.g. `0.0.0.x`). */
  address: z.string().nullable(),
  port: z.number().int().nullable(),
  explanation: z.string(),
  /** True for errors that do not matter (a 701 from an IPv6 socket when the server is IPv4-only). */
  harmless: z.boolean(),
});

/** One assertion of a relay proof: name, outcome and the value seen. */
export const proofAssertionSchema = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });

/** The selected candidate pair of a call (W3C `RTCIceCandidatePairStats` + the local/remote candidates). */
export const selectedPairSchema = z.object({
  /** How it was found: `RTCIceTransport.selectedCandidatePairId` (Chromium), `candidate-pair.selected`
   * (Firefox), or the nominated succeeded pair as a last resort. */
  source: z.enum(['selectedCandidatePairId', 'candidate-pair.selected', 'nominated']),
  localType: candidateTypeSchema,
  remoteType: candidateTypeSchema,
  protocol: z.enum(['udp', 'tcp']),
  relayProtocol: z.enum(['udp', 'tcp', 'tls']).nullable(),
  localAddress: z.string().nullable(),
  localPort: z.number().int().nullable(),
  remoteAddress: z.string().nullable(),
  remotePort: z.number().int().nullable(),
  /** The local candidate's STUN/TURN URL (relay and srflx candidates). */
  url: z.string().nullable(),
  /** `currentRoundTripTime` of the pair in ms. */
  rttMs: z.number().nullable(),
  /** How many times the selected pair changed during the call. */
  pairChanges: z.number().int().min(0),
  dtlsState: z.string().nullable(),
  dtlsCipher: z.string().nullable(),
});

/** A loopback call through one TURN URL with both ends `iceTransportPolicy: 'relay'`. */
export const relayProofSchema = z.object({
  ok: z.boolean(),
  /** Data channel echo round trip in ms (median of the echoes). */
  rttMs: z.number().nullable(),
  selectedPair: selectedPairSchema.nullable(),
  assertions: z.array(proofAssertionSchema),
  error: z.string().optional(),
});

/** One throughput sample: kbit/s acknowledged over the interval that ends `tMs` ms into the measurement. */
export const throughputSampleSchema = z.object({ tMs: z.number(), kbps: z.number() });

/** One row of the path matrix: one URL × transport in its own peer connection. */
export const pathResultSchema = z.object({
  id: z.string(),
  url: z.string(),
  kind: pathKindSchema,
  /**
   * Whose server it is: `bundled`, the host of an operator's `--page-ice-server`, or `visitor` (a server the
   * visitor entered in the page). Absent in reports of pages before it was added.
   */
  server: z.string().optional(),
  /** The TURN server's relay port range, when its server told the page (the bundled one does); else absent. */
  relayPorts: relayPortRangeSchema.optional(),
  gathered: z.boolean(),
  /** Time from the start of this path's gathering to its first srflx (stun) or relay (turn) candidate. */
  firstCandidateMs: z.number().nullable(),
  proof: relayProofSchema.nullable(),
  /** Data channel throughput through this path in kbit/s, when measured. */
  throughputKbps: z.number().nullable(),
  /**
   * The samples behind `throughputKbps`, so a shared report draws the same throughput chart; absent when
   * not measured (and in reports made before it was kept).
   */
  throughputSamples: z.array(throughputSampleSchema).optional(),
  /** Whether the relay is reachable from outside the TURN host (browser-reach-schema.ts); TURN paths only. */
  outsideReach: outsideReachSchema.optional(),
  error: z.string().optional(),
});

/** Can the browser open the signaling WebSocket, and how long the upgrade took. */
export const signalingCheckSchema = z.object({
  scheme: z.enum(['ws', 'wss']),
  url: z.string(),
  ok: z.boolean(),
  upgradeMs: z.number().nullable(),
  error: z.string().optional(),
});

/** The one- or two-sentence verdict and the NAT facts that explain it. */
export const verdictSchema = z.object({
  /** Stable machine-readable code, e.g. `direct`, `relay-required`, `udp-blocked-tls-works`, `no-path`. */
  code: z.string(),
  text: z.string(),
  facts: z.array(z.string()),
});

export const browserReportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.literal('ice-doctor'),
  kind: z.literal('browser'),
  startedAt: z.string(),
  userAgent: z.string(),
  /** The page's origin. */
  page: z.string(),
  /** The visitor's address as the report server saw the HTTP request, or null (redacted, unknown). */
  visitor: transportAddressSchema.nullable(),
  signaling: z.array(signalingCheckSchema),
  /** The NAT fields of the probe report; `filtering` is always null here (a browser never sees unsolicited
   * packets), with a reason. */
  ...natVerdictShape,
  mappingMethod: z.enum(['multi-server', 'local-address', 'none']),
  candidates: z.array(browserCandidateSchema),
  candidateErrors: z.array(candidateErrorSchema),
  paths: z.array(pathResultSchema),
  /** The pair ICE selected in the page's own call (policy {@link iceTransportPolicy}), or null when it failed. */
  selectedPair: selectedPairSchema.nullable(),
  /**
   * The `iceTransportPolicy` of the page's own call: `all`, or `relay` when the visitor chose relay-only
   * (then `selectedPair` is a relay pair, and says nothing about direct paths). Absent means `all`.
   */
  iceTransportPolicy: iceTransportPolicySchema.optional(),
  /** The two-peer test: the pair selected between this browser and the invited one. */
  peer: z
    .object({
      room: z.string(),
      role: z.enum(['broadcaster', 'watcher']),
      selectedPair: selectedPairSchema.nullable(),
    })
    .nullable(),
  verdict: verdictSchema,
  redacted: z.object({ credentials: z.literal(true), ips: z.boolean() }),
  durationMs: z.number(),
});

export type PathKind = z.infer<typeof pathKindSchema>;
export type CandidateType = z.infer<typeof candidateTypeSchema>;
export type IceTransportPolicy = z.infer<typeof iceTransportPolicySchema>;
export type BrowserCandidate = z.infer<typeof browserCandidateSchema>;
export type CandidateErrorRow = z.infer<typeof candidateErrorSchema>;
export type ProofAssertion = z.infer<typeof proofAssertionSchema>;
export type SelectedPair = z.infer<typeof selectedPairSchema>;
export type RelayProof = z.infer<typeof relayProofSchema>;
export type PathResult = z.infer<typeof pathResultSchema>;
export type SignalingCheck = z.infer<typeof signalingCheckSchema>;
export type Verdict = z.infer<typeof verdictSchema>;
export type BrowserReport = z.infer<typeof browserReportSchema>;
