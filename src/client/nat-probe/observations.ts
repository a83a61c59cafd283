import type { Transport, TransportAddress } from '../../wire/address.js';

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
  /** From the first send to the reply or to giving up, in ms. */
  elapsedMs: number;
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

/** Filtering tests I, II, III against one server (RFC 5780 §4.4), II and III with their expected sources. */
export interface FilteringTriple {
  I: BindingObservation;
  II: BindingObservation;
  III: BindingObservation;
}

/**
 * The CHANGE-REQUEST control (an extension of RFC 5780 §4.4), on a fresh socket C once OTHER-ADDRESS
 * (A2:P2) is known: plain Bindings to A1:P1, A2:P2 and A1:P2 (C's mapped address toward each, and a NAT
 * pinhole toward each under any filtering), then the CHANGE-REQUESTs of filtering tests II and III to
 * A1:P1 from C. When C's mapped address is the same toward A1:P1 and the reply's source, the reply's path
 * is open, so a silent CHANGE-REQUEST here is the server's silence, not the NAT's filtering.
 */
export interface ChangeRequestControl {
  /** Plain Binding to A1:P1 (`control-I`): C's mapping toward the address the CHANGE-REQUESTs go to. */
  I: BindingObservation;
  /** Plain Binding to A2:P2 (`control-II-open`), where the reply to control II must come from. */
  openII: BindingObservation;
  /** Plain Binding to A1:P2 (`control-III-open`), where the reply to control III must come from. */
  openIII: BindingObservation;
  /** CHANGE-REQUEST change IP and port to A1:P1 (`control-II`), `expectedSource` A2:P2. */
  II: BindingObservation;
  /** CHANGE-REQUEST change port to A1:P1 (`control-III`), `expectedSource` A1:P2. */
  III: BindingObservation;
}

/**
 * Everything run against one server whose mapping test I carried OTHER-ADDRESS (an RFC 5780 candidate):
 * the evidence that it serves RFC 5780 or not (`rfc5780-trust.ts`), and the tests themselves.
 */
export interface Rfc5780Run {
  /** URL of the server. */
  server: string;
  /** Its mapping test I, from the shared mapping socket. */
  testI: BindingObservation;
  /** Mapping tests II and III (RFC 5780 §4.3) to A2:P1 and A2:P2 from the same socket. */
  II: BindingObservation;
  III: BindingObservation;
  /** Filtering tests from a fresh socket. */
  filtering: FilteringTriple;
  /** The CHANGE-REQUEST control from another fresh socket, run alongside the filtering tests. */
  control: ChangeRequestControl;
}

/** Everything the probe observed; the pure input of `classify()`. */
export interface ProbeObservations {
  servers: ServerObservation[];
  /** IP addresses of this host's interfaces (to tell "no NAT"). */
  localAddresses: string[];
  /** Test I to every UDP server from ONE socket (also the multi-server mapping comparison). */
  mappingTestI: BindingObservation[];
  /**
   * The RFC 5780 candidates' runs in the order they completed (the race): the first trusted one is used,
   * the untrusted ones are named in the report.
   */
  rfc5780Runs: Rfc5780Run[];
  /** STUN over TCP/TLS to each server (reachability, RTT calibration, and "UDP blocked" evidence). */
  streams: BindingObservation[];
  hairpin: HairpinObservation | null;
  lifetime: LifetimeObservation | null;
  /** True when the probe's deadline (`--timeout`) fired before the observations were complete. */
  deadlineReached: boolean;
}
