import { z } from 'zod';
import { transportAddressSchema } from './address-schema.js';
import { viaProxySchema } from './proxy-schema.js';

/*
 * The NAT verdict vocabulary every report shares (RFC 4787 behaviours, the RFC 3489 label, one test, one
 * server's reachability, the verdict fields), apart from schema.ts so part-schemas (per address family,
 * port mapping) can use it without an import cycle. schema.ts re-exports all of it.
 */

/** RFC 4787 behaviour, for mapping (§4.1) and filtering (§5). */
export const behaviourSchema = z.enum([
  'endpoint-independent',
  'address-dependent',
  'address-and-port-dependent',
]);

/** The legacy RFC 3489 §5 label. */
export const legacyNatTypeSchema = z.enum([
  'open-internet',
  'full-cone',
  'restricted-cone',
  'port-restricted-cone',
  'symmetric',
  'symmetric-udp-firewall',
  'udp-blocked',
]);

/** One test of the probe: what was sent where, what came back, and what it showed. */
export const testResultSchema = z.object({
  name: z.string(),
  /** The server address the requests went to, `ip:port`, with the transport. */
  target: z.string(),
  transport: z.enum(['udp', 'tcp', 'tls']),
  requestsSent: z.number().int().min(0),
  responsesReceived: z.number().int().min(0),
  rttMs: z.number().nullable(),
  /** The source address of the reply as the socket saw it. */
  replySource: transportAddressSchema.nullable(),
  mappedAddress: transportAddressSchema.nullable(),
  /** One of: `ok`, `timeout`, `error`, `unexpected-source`, `skipped`, and test-specific words. */
  verdict: z.string(),
  detail: z.string().optional(),
});

/** STUN reachability of one server URL over one transport. */
export const reachabilitySchema = z.object({
  url: z.string(),
  transport: z.enum(['udp', 'tcp', 'tls']),
  reachable: z.boolean(),
  rttMs: z.number().nullable(),
  mappedAddress: transportAddressSchema.nullable(),
  error: z.string().optional(),
  /** True when this TCP/TLS exchange went through the HTTP CONNECT proxy: the mapped address is the proxy's. */
  viaProxy: viaProxySchema,
});

/**
 * The NAT verdict fields every report that judges a NAT carries with the same names, values and meanings
 * (the probe's and the page's export); each report adds its own `mappingMethod` values.
 */
export const natVerdictShape = {
  udp: z.boolean(),
  publicAddress: transportAddressSchema.nullable(),
  natPresent: z.boolean().nullable(),
  mapping: behaviourSchema.nullable(),
  filtering: behaviourSchema.nullable(),
  legacyNatType: legacyNatTypeSchema.nullable(),
  hairpinning: z.boolean().nullable(),
  /** Why a verdict is null or was judged the way it was, keyed by field name. */
  reasons: z.record(z.string(), z.string()),
};

/** Names of the shared NAT verdict fields ({@link natVerdictShape}). */
export type NatVerdictField = keyof typeof natVerdictShape;

/**
 * What the probe knows about UDP, one word per case (the `udp` field is true only for `works`, false only
 * for `blocked`, null otherwise): `works` (a server answered over UDP), `blocked` (UDP tried and silent
 * while the same server answered over TCP or TLS), `server-unreachable` (nothing answered on any
 * transport), `not-tested` (only `stuns:` / `?transport=tcp` URLs), `dns-failed` (no UDP server name
 * resolved), `deadline` (the probe's deadline came before any UDP answer).
 */
export const udpStatusSchema = z.enum([
  'works',
  'blocked',
  'server-unreachable',
  'not-tested',
  'dns-failed',
  'deadline',
]);
