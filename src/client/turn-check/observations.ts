import type { TurnStepName } from '../../report/schema.js';
import type { TurnAlternate, TurnNode } from '../../report/turn-node-schema.js';
import type { Transport, TransportAddress } from '../../wire/address.js';
import type { ConnectFacts } from '../transport/stream-connect.js';
import type { TlsAuditObservation } from '../transport/tls-audit-probe.js';
import type { QualityObservation } from './quality-summary.js';
import type { OutsideReachObservation } from './reach-observations.js';
import type { IntegrityState, TurnFailure } from './session.js';

/** LIFETIME the refresh step asks for, in seconds (RFC 8656 §7: the default allocation lifetime). */
export const REFRESH_LIFETIME_S = 600;

/** The host name lookup (or the IP literal taken as it is). */
export interface ResolveObservation {
  step: 'resolve';
  durationMs: number;
  address: TransportAddress | null;
  /** The one-line `ResolveError` message. */
  error: string | null;
}

/** The TCP or TLS connection (absent for UDP, which has no handshake). */
export interface ConnectObservation {
  step: 'connect';
  durationMs: number;
  /**
   * Node's socket or TLS error code (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT` ...), `timeout`,
   * `tls-no-handshake` (TCP connected, TLS did not), or null.
   */
  errorCode: string | null;
  /** TCP connect time, TLS wait and certificate chain of a failed attempt (null on success). */
  facts: ConnectFacts | null;
  /**
   * After `tls-no-handshake`: whether the same port answered a STUN Binding request over plain TCP (true:
   * it is a plain `turn:` port), false (no STUN answer), null (not tried).
   */
  plainStun: boolean | null;
}

/** A request step: what came back, with the TURN attributes the diagnosis reads. */
export interface RequestObservation {
  step: Exclude<TurnStepName, 'resolve' | 'connect' | DataStepName>;
  durationMs: number;
  /** Requests sent, retransmissions and authentication retries included. */
  sent: number;
  /** ERROR-CODE of an error response, null for success or no response. */
  errorCode: number | null;
  errorReason: string | null;
  /** True when the final response was a success response. */
  success: boolean;
  /** Why nothing usable came back, or null when a response did. */
  failure: TurnFailure | null;
  /** The last request carried MESSAGE-INTEGRITY (it was signed with the nonce the server handed out). */
  authenticated: boolean;
  /** 401/438 answered with a retry, in order. */
  challenges: number[];
  integrity: IntegrityState;
  /** XOR-RELAYED-ADDRESS, XOR-MAPPED-ADDRESS and LIFETIME (seconds) of the response, when present. */
  relayed: TransportAddress | null;
  mapped: TransportAddress | null;
  lifetimeS: number | null;
  /** ALTERNATE-SERVER and ALTERNATE-DOMAIN of a 300 Try Alternate (RFC 8489 §10, §14.15–14.16), when present. */
  alternateServer?: TransportAddress;
  alternateDomain?: string;
}

/**
 * True when a CreatePermission answer shows the allocation still exists: success, or 403 for the peer (a
 * deleted allocation gets 437 Allocation Mismatch). The rule the deletion check polls on and is judged by.
 */
export function stillAllocated(o: RequestObservation): boolean {
  return o.success || o.errorCode === 403;
}

/** Steps that send data through the relays rather than a request. */
export type DataStepName = Extract<
  TurnStepName,
  | 'send-indication'
  | 'peer-send-indication'
  | 'channel-data'
  | 'peer-channel-data'
  | 'bound-send-indication'
  | 'peer-bound-send-indication'
>;

/** Data sent from one allocation's client to the other's relayed address, and how it arrived (RFC 8656 §11–12). */
export interface DataObservation {
  step: DataStepName;
  durationMs: number;
  /** How often the data was sent (retransmitted over UDP on the RFC 8489 schedule). */
  sent: number;
  /** How it was sent: a Send indication or ChannelData. */
  via: 'send-indication' | 'channel-data';
  /** How the receiving client got it, or null when it never did. */
  received: 'data-indication' | 'channel-data' | null;
  /** The sender's link failed (closed, reset) while waiting. */
  failure: string | null;
}

/** Any one observation. */
export type TurnObservation = ResolveObservation | ConnectObservation | RequestObservation | DataObservation;

/** Everything one check of one URL over one transport saw, in the order it ran. Sockets produce these. */
export interface TurnTargetObservations {
  url: string;
  /** True when TCP/TLS went through the HTTP CONNECT proxy (`--proxy`, `HTTPS_PROXY`); absent when direct. */
  viaProxy?: boolean;
  transport: Transport;
  /** The host as the user wrote it (a name or an IP literal). */
  host: string;
  credentials: 'long-term' | 'rest';
  username: string;
  /** `--insecure`: the TLS certificate was not verified. */
  insecure: boolean;
  /** `--ca FILE`: CA certificates were trusted besides Node's bundled roots. */
  customCa: boolean;
  realm: string | null;
  observations: TurnObservation[];
  /** The reach check from outside (`outside-reach.ts`): absent when not asked for, null when it could not run. */
  outsideReach?: OutsideReachObservation | null;
  durationMs: number;
  /** The relay quality measure (quality.ts); absent when not asked for or no allocation was made. */
  quality?: QualityObservation;
  /** Which address of a multi-address host name this check talked to (issue 15 §2); absent for one address. */
  node?: TurnNode;
  /** A 300 Try Alternate to the first Allocate, and whether the check went on at the alternate. */
  alternate?: TurnAlternate;
  /** The `turns:` certificate audit's handshakes (TLS targets whose host resolved). */
  tlsAudit?: TlsAuditObservation;
  /** The `--ca` certificates (PEM), which the audit counts as trust anchors. */
  ca?: readonly string[];
}
