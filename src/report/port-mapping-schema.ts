import { z } from 'zod';

/**
 * What one port-mapping protocol of the local gateway answered (issue 16 §3): UPnP IGD (SSDP + SOAP),
 * NAT-PMP (RFC 6886) or PCP (RFC 6887). `mappingCreated` is true only when the gateway confirmed a mapping
 * (it is removed again at once; `mappingRemoved` says whether the removal was confirmed).
 */
export const portMappingProtocolSchema = z.object({
  protocol: z.enum(['upnp-igd', 'nat-pmp', 'pcp']),
  /** True when the gateway answered this protocol at all (an error result code counts as an answer). */
  answered: z.boolean(),
  /** The address asked (`ip:port`, or the UPnP control URL), null when no gateway was known. */
  gateway: z.string().nullable(),
  /** The external IP address the gateway reports for itself, null when not told. */
  externalAddress: z.string().nullable(),
  /** Whether a test mapping could be created; null when not tried. */
  mappingCreated: z.boolean().nullable(),
  /** Whether the test mapping's removal was confirmed; null when none was created. */
  mappingRemoved: z.boolean().nullable(),
  /** Time to the first answer in ms, null without one. */
  rttMs: z.number().nullable(),
  /** Result code or error in words, when the protocol failed or refused. */
  error: z.string().optional(),
});

/**
 * Whether another NAT sits above the local gateway, from comparing the gateway's own external address with
 * the STUN-mapped address: `none` (equal), `double-nat` (private RFC 1918 external address, or a public one
 * that differs), `carrier-grade-nat` (external address in 100.64.0.0/10, RFC 6598). Null when no protocol
 * reported an external address or STUN found no mapped address (reason in `reasons.upstreamNat`).
 */
export const upstreamNatSchema = z.enum(['none', 'double-nat', 'carrier-grade-nat']);

/** The port-mapping part of a probe report: each protocol tried and the upstream-NAT verdict. */
export const portMappingSchema = z.object({
  protocols: z.array(portMappingProtocolSchema),
  upstreamNat: upstreamNatSchema.nullable(),
  /** Why a verdict is null or was judged the way it was, keyed by field name. */
  reasons: z.record(z.string(), z.string()),
});

export type PortMappingProtocol = z.infer<typeof portMappingProtocolSchema>;
export type UpstreamNat = z.infer<typeof upstreamNatSchema>;
export type PortMapping = z.infer<typeof portMappingSchema>;
