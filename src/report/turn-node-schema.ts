import { z } from 'zod';
import { transportAddressSchema } from './address-schema.js';

/**
 * A host name with several A/AAAA records (a fleet behind one name, issue 15 §2): each address is checked as
 * its own target; this says which one and of how many.
 */
export const turnNodeSchema = z.object({
  /** The host name as written in the URL. */
  host: z.string(),
  /** The address this target checked. */
  address: z.string(),
  /** Every address the name resolved to, A records first then AAAA, each in the order the resolver gave. */
  addresses: z.array(z.string()),
  /**
   * Round-trip time to this address, in ms: the shortest request answered at its first send without an
   * authentication retry (CreatePermission, ChannelBind, Refresh …); null when none was answered that way.
   */
  rttMs: z.number().nullable(),
});

/** A 300 Try Alternate answer (RFC 8489 §10, ALTERNATE-SERVER §14.15, ALTERNATE-DOMAIN §14.16) and whether it was followed. */
export const turnAlternateSchema = z.object({
  /** The server that redirected. */
  from: transportAddressSchema,
  /** ALTERNATE-SERVER. */
  to: transportAddressSchema,
  /** ALTERNATE-DOMAIN (the name to verify the alternate's certificate against over TLS), or null. */
  domain: z.string().nullable(),
  /** The check went on at the alternate (one redirect at most; a second is reported, not followed). */
  followed: z.boolean(),
  /** Why it was not followed (a loop back to `from`, a second redirect …), in words; null when followed. */
  why: z.string().nullable(),
  /** ALTERNATE-SERVER of a second 300 answered by the alternate itself (reported, not followed), or null. */
  secondRedirect: transportAddressSchema.nullable(),
});

export type TurnNode = z.infer<typeof turnNodeSchema>;
export type TurnAlternate = z.infer<typeof turnAlternateSchema>;
