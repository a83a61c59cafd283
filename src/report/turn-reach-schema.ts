import { z } from 'zod';
import { transportAddressSchema } from './address-schema.js';

/**
 * One relayed transport address tried from outside: ice-doctor's own plain UDP socket (the "outside peer",
 * not an allocation on the same server) sent to it, and the client sent through it to that socket.
 */
export const reachedPortSchema = z.object({
  /** XOR-RELAYED-ADDRESS of the allocation tried (RFC 8656 §7.3). */
  relayed: transportAddressSchema,
  /** Outside peer → relayed address → client (Data indication or ChannelData): true arrived, false not, null not tried. */
  inbound: z.boolean().nullable(),
  /** Client → Send indication/ChannelData → relayed address → outside peer: true, false, null as above. */
  outbound: z.boolean().nullable(),
  /**
   * The outside peer as the relay saw it: XOR-PEER-ADDRESS of the Data indication that brought the inbound
   * datagram (RFC 8656 §11.6), where the outbound one was sent; null when nothing came in. Optional: added
   * after the contract.
   */
  peerSeen: transportAddressSchema.nullable().optional(),
  /** Why this port was not tried (CreatePermission refused …), else null. Optional: added after the contract. */
  error: z.string().nullable().optional(),
});

/**
 * Whether peers outside the TURN host can reach its relayed addresses (issue 15 §1): the failure a second
 * allocation on the same server cannot see (the relay port range closed in a firewall or security group, the
 * relayed address private because `external-ip` is missing).
 */
export const relayReachSchema = z.object({
  /**
   * The outside peer's address as the server saw it: the XOR-MAPPED-ADDRESS of its Binding request to the
   * server over UDP, else the XOR-MAPPED-ADDRESS of the Allocate response (RFC 8656 §7.3); the permission
   * was installed for its IP (see `permitted`); null when neither came back.
   */
  peerAddress: transportAddressSchema.nullable(),
  /**
   * The IPs CreatePermission was asked for (RFC 8656 §9: permissions ignore the port): the outside peer's
   * reflexive IP and the client's, when they differ. Optional: added after the contract.
   */
  permitted: z.array(z.string()).optional(),
  /** The relayed addresses tried, one allocation each (allocations that failed are not listed). */
  ports: z.array(reachedPortSchema),
  /** How many of `ports` were reachable both ways. */
  reachable: z.number().int().min(0),
  /**
   * `reachable` (every port tried, both ways), `partly-reachable` (some ports), `closed` (no datagram from
   * outside reached any relay port tried; whether relaying between two allocations of the same server worked
   * tells the diagnosis `relay-only-inside` from `relay-ports-closed`), `one-way` (datagrams from outside
   * arrived, but nothing the relay sent back reached the outside peer), `relay-address-private` (the relayed
   * address is private/loopback while the server was reached on a public one: `external-ip` missing),
   * `not-public-address` (the relayed address is neither the address the server was reached on nor
   * reachable), or null with `reason` (not tried, the outside peer on the server's own host, or nothing to
   * judge on).
   */
  verdict: z
    .enum([
      'reachable',
      'partly-reachable',
      'closed',
      'relay-address-private',
      'not-public-address',
      'one-way',
    ])
    .nullable(),
  /** Why `verdict` is null, or what limits it (e.g. "the outside peer is on the same host as the server"). */
  reason: z.string().nullable(),
  /** The wait for data in each direction, in ms. Optional: added after the contract. */
  waitMs: z.number().optional(),
  /** Wall time of the reach check, in ms (it runs beside the other steps). Optional: added after the contract. */
  durationMs: z.number().optional(),
});

export type ReachedPort = z.infer<typeof reachedPortSchema>;
export type RelayReach = z.infer<typeof relayReachSchema>;
