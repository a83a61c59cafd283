import type { Transport, TransportAddress } from '../stun/address.js';

/** What a CHANGE-REQUEST asked for (RFC 5780 §7.2). */
export interface ChangeRequest {
  ip: boolean;
  port: boolean;
}

/**
 * One Binding exchange as observed: what was sent where, and what came back. Sockets produce these;
 * the classifier reads only these.
 */
export interface BindingObservation {
  /** Test name, e.g. `mapping-I`, `filtering-II` (RFC 5780 §4.3–4.4 numbering). */
  name: string;
  /** The URL of the server the test belongs to. */
  server: string;
  transport: Transport;
  target: TransportAddress;
  change: ChangeRequest | null;
  /** The address the reply must come from for the test to count (null: the target itself). */
  expectedSource: TransportAddress | null;
  /** Local port of the socket that sent the request. */
  localPort: number;
  requestsSent: number;
  rttMs: number | null;
  /** Datagram (or connection) source of the reply. */
  source: TransportAddress | null;
  /** XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS when the server sent only that. */
  mapped: TransportAddress | null;
  responseOrigin: TransportAddress | null;
  otherAddress: TransportAddress | null;
  /** ERROR-CODE of an error response. */
  errorCode: number | null;
  /** `timeout`, `aborted`, a socket error, or null when a response arrived. */
  failure: string | null;
}

/** Result of the hairpinning test (RFC 5780 §4.5). */
export interface HairpinObservation {
  /** Our mapped address the request was sent to. */
  target: TransportAddress;
  /** True when the request sent to our own mapped address came back in on the first socket. */
  received: boolean;
  waitedMs: number;
}

/** Result of the binding lifetime search (RFC 5780 §4.6): the binding was alive at `minS`, gone at `maxS`. */
export interface LifetimeObservation {
  minS: number;
  maxS: number | null;
  trials: { waitS: number; alive: boolean }[];
}

/** A server named on the command line, after resolution. */
export interface ServerObservation {
  url: string;
  transport: Transport;
  address: TransportAddress | null;
  resolveError: string | null;
}

/** Everything the probe observed; the pure input of `classify()`. */
export interface ProbeObservations {
  servers: ServerObservation[];
  /** IP addresses of this host's interfaces (to tell "no NAT"). */
  localAddresses: string[];
  /** Test I to every UDP server from ONE socket (also the multi-server mapping comparison). */
  mappingTestI: BindingObservation[];
  /** URL of the first server whose test I carried OTHER-ADDRESS, or null. */
  rfc5780Server: string | null;
  mappingTestII: BindingObservation | null;
  mappingTestIII: BindingObservation | null;
  /** Filtering tests I, II, III against the RFC 5780 server, from a fresh socket. */
  filtering: { I: BindingObservation; II: BindingObservation; III: BindingObservation } | null;
  /** STUN over TCP/TLS to each server (reachability and RTT calibration). */
  streams: BindingObservation[];
  hairpin: HairpinObservation | null;
  lifetime: LifetimeObservation | null;
}
