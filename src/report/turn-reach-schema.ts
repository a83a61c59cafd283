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
});

/**
 * Whether peers outside the TURN host can reach its relayed addresses (issue 15 §1): the failure a second
 * allocation on the same server cannot see (the relay port range closed in a firewall or security group, the
 * relayed address private because `external-ip` is missing).
 */
export const relayReachSchema = z.object({
  /**
   * The outside peer's address as the server saw it: the XOR-MAPPED-ADDRESS of the Allocate response (RFC
   * 8656 §7.3), which is where the permission was installed; null when the server did not send it.
   */
  peerAddress: transportAddressSchema.nullable(),
  /** The relayed addresses tried, one allocation each, spread over the ports the server hands out. */
  ports: z.array(reachedPortSchema),
  /** How many of `ports` were reachable both ways. */
  reachable: z.number().int().min(0),
  /**
   * `reachable` (every port tried, both ways), `partly-reachable` (some ports), `closed` (none from outside,
   * while relaying between two allocations of the same server worked: the relay range is filtered),
   * `relay-address-private` (the relayed address is private/loopback while the server was reached on a
   * public one: `external-ip` missing), `not-public-address` (the relayed address is neither the address the
   * server was reached on nor reachable), or null with `reason` (not tried, or nothing to judge on).
   */
  verdict: z
    .enum(['reachable', 'partly-reachable', 'closed', 'relay-address-private', 'not-public-address'])
    .nullable(),
  /** Why `verdict` is null, or what limits it (e.g. "the outside peer is on the same host as the server"). */
  reason: z.string().nullable(),
});

export type ReachedPort = z.infer<typeof reachedPortSchema>;
export type RelayReach = z.infer<typeof relayReachSchema>;
