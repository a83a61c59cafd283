import { z } from 'zod';
import { transportAddressSchema } from './address-schema.js';
import {
  natVerdictShape,
  reachabilitySchema,
  testResultSchema,
  udpStatusSchema,
} from './nat-verdict-schema.js';

/**
 * One address family's own probe (issue 16 §2, dual stack): the probe runs IPv4 and IPv6 in parallel and
 * reports each with its own mapping, filtering and reachability. `natPresent: false` with a filtering other
 * than endpoint-independent is "no NAT but filtering" (a stateful IPv6 firewall, RFC 6092); NAT66/NPTv6 is
 * `natPresent: true`. Every null verdict has its reason in `reasons`.
 */
export const familyProbeSchema = z.object({
  family: z.enum(['ipv4', 'ipv6']),
  /**
   * False when the family was not probed (this host has no usable address of it, or no server of it was
   * given or resolved); `reasons.tested` says which. All verdicts are then null.
   */
  tested: z.boolean(),
  /** The servers of this family that were asked, as URLs. */
  servers: z.array(z.string()),
  ...natVerdictShape,
  /** True: UDP works over this family; false: blocked (see `udpStatus`); null: unknown, with `reasons.udp`. */
  udp: z.boolean().nullable(),
  udpStatus: udpStatusSchema,
  localAddress: transportAddressSchema.nullable(),
  /** As the top-level `mappingMethod` of the probe report, for this family. */
  mappingMethod: z.enum(['rfc5780', 'multi-server', 'local-address', 'none']),
  rfc5780Server: z.string().nullable(),
  reachability: z.array(reachabilitySchema),
  /** As the top-level `portPreservation`: the mapped port equals the local port (null: no NAT, or unknown). */
  portPreservation: z.boolean().nullable(),
  /** This family's tests, one row per exchange, as the top-level `tests` (empty when not tested). */
  tests: z.array(testResultSchema),
  /** One plain sentence for this family. */
  summary: z.string(),
});

export type FamilyProbe = z.infer<typeof familyProbeSchema>;
