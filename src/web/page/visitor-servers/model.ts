import { z } from 'zod';
import { iceTransportPolicySchema } from '../../../report/browser-schema.js';

/**
 * The visitor's own STUN/TURN servers, as the report page keeps them (localStorage and the `#servers=` link
 * fragment; they never reach ice-doctor's server). One entry is one ICE server URL (RFC 7064/7065) with
 * either a long-term credential (`RTCIceServer.username`/`credential`, RFC 8489 §9.2) or a TURN REST shared
 * secret from which the page mints one (draft-uberti-behave-turn-rest-00 §2.2, coturn's `use-auth-secret`).
 * These schemas check shape only; the URL grammar and the rules between fields are validate.ts'.
 */

/** The most servers a list may hold (each is its own peer connection, plus a relay proof for TURN). */
export const MAX_VISITOR_SERVERS = 10;
/** The longest URL, username, credential or secret accepted, in characters. */
export const MAX_FIELD_CHARS = 512;
/** Lifetime of a credential minted from a shared secret when the entry names none, in s (coturn's usual). */
export const DEFAULT_REST_TTL_S = 600;
/** The user part of a minted username (`<expiry>:<user>`) when the entry names none. */
export const DEFAULT_REST_USER = 'ice-doctor-page';

const field = z.string().max(MAX_FIELD_CHARS);

/** A server with a static long-term credential, or none (STUN): the shape of `RTCIceServer` with one URL. */
const staticServerSchema = z.strictObject({
  urls: field,
  username: field.optional(),
  credential: field.optional(),
});

/** A TURN server whose credential the page mints from a shared secret (`static-auth-secret` in coturn). */
const restServerSchema = z.strictObject({
  urls: field,
  /** The shared secret; HMAC-SHA1 key of the minted credential. */
  secret: field,
  /** The user part of the minted username; {@link DEFAULT_REST_USER} when absent. */
  user: field.optional(),
  /** Lifetime of the minted credential in s (1 s – 7 days); {@link DEFAULT_REST_TTL_S} when absent. */
  ttlS: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .optional(),
});

/** One entry of the visitor's list. */
export const visitorServerSchema = z.union([restServerSchema, staticServerSchema]);

/** The visitor's list and the policy of the page's call: what is saved and what a link carries. */
export const visitorSettingsSchema = z.strictObject({
  servers: z.array(visitorServerSchema).max(MAX_VISITOR_SERVERS),
  /** The `iceTransportPolicy` of the page's own call (W3C WebRTC §4.2.5). */
  policy: iceTransportPolicySchema,
});

export type RestServer = z.infer<typeof restServerSchema>;
export type VisitorServer = z.infer<typeof visitorServerSchema>;
export type VisitorSettings = z.infer<typeof visitorSettingsSchema>;

/** No servers of the visitor's, the default policy `all`. */
export const NO_VISITOR_SETTINGS: VisitorSettings = { servers: [], policy: 'all' };

/** True for an entry with a shared secret (the page mints its credential). */
export function isRestServer(s: VisitorServer): s is RestServer {
  return 'secret' in s;
}
