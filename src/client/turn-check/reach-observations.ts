import type { TransportAddress } from '../../wire/address.js';

/**
 * One relay port tried from outside: its allocation (RFC 8656 §7), the permission for the outside peer
 * (§9), the datagram from the outside peer to the relayed address (inbound, arriving as a Data indication,
 * §11.6) and the Send indication back to the outside peer (outbound, §11.2).
 */
export interface ReachPortObservation {
  /** XOR-RELAYED-ADDRESS, or null when the Allocate failed. */
  relayed: TransportAddress | null;
  /** Why there is no allocation or no permission (`486 Allocation Quota Reached`, `no reply` …), else null. */
  setupError: string | null;
  /**
   * Outside peer → relayed address → client: true arrived, false not within the wait, null not tried — also
   * when either direction was cut short by the deadline or by the reach session's link failing (TCP/TLS
   * closed or reset; `setupError` then names it), so such a port never counts as closed.
   */
  inbound: boolean | null;
  /** Datagrams the outside peer sent to the relayed address. */
  inboundSent: number;
  /** XOR-PEER-ADDRESS of the Data indication: the outside peer as the relay saw it (null when none arrived). */
  peerSeen: TransportAddress | null;
  /** Client → Send indication → outside peer: true arrived, false not within the wait, null not tried. */
  outbound: boolean | null;
  /** Send indications the client sent. */
  outboundSent: number;
  /** Where the Send indications were addressed (XOR-PEER-ADDRESS), or null when not tried. */
  outboundTo: TransportAddress | null;
  /** Refresh(LIFETIME 0) succeeded (the allocation is deleted), false otherwise, null without an allocation. */
  deleted: boolean | null;
}

/** What the reach check saw for one target: who the outside peer was and each relay port tried. */
export interface OutsideReachObservation {
  /** The TURN server address connected to. */
  server: TransportAddress;
  /** XOR-MAPPED-ADDRESS of the first Allocate response: the TURN client's own reflexive address. */
  clientMapped: TransportAddress | null;
  /** XOR-MAPPED-ADDRESS of the outside peer's Binding to the server over UDP (null: no answer). */
  peerMapped: TransportAddress | null;
  /**
   * Where that Binding went over UDP: the server's address for a UDP target, the same port for TCP, UDP port
   * 3478 of the same host for TLS (a `turns:` port need not answer over UDP). Absent in older recordings.
   */
  bindingTo?: TransportAddress;
  /** The IP addresses CreatePermission was asked for (RFC 8656 §9: permissions ignore the port). */
  permitted: string[];
  /** True when the server's or a relayed IP is one of this host's own interface addresses. */
  serverOnThisHost: boolean;
  /** A local send error of the outside peer (`ENETUNREACH` …): its datagrams never left this host. */
  sendError: string | null;
  /** The wait for data in each direction, in ms (paced sends within it). */
  waitMs: number;
  ports: ReachPortObservation[];
  durationMs: number;
  /** Why the check was not started (too little time left before the deadline), when it was not. */
  notRun?: string;
}
