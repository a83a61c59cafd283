import { z } from 'zod';

/**
 * The largest UDP datagram that reaches a STUN server and comes back (issue 16 §5): Binding requests made
 * large with PADDING (RFC 5780 §7.6), sizes searched between 548 and 1500 bytes in two parallel rounds (a
 * coarse set, then the gap above the largest that came back). Sizes are whole IP datagram bytes (IP + UDP
 * headers + STUN message: 20 + 8 for IPv4, 40 + 8 for IPv6). Null sizes carry the reason in `reason`.
 */
export const pathMtuSchema = z.object({
  method: z.literal('stun-padding'),
  /** The server asked, as a URL; null when no STUN server answered a plain Binding request over UDP. */
  server: z.string().nullable(),
  /** Largest IP datagram (bytes) that came back together with every smaller size tried; null when unknown. */
  largestDatagramBytes: z.number().int().nullable(),
  /** Smallest size (bytes) that did not come back; null when 1500 came back or nothing was judged. */
  smallestLostBytes: z.number().int().nullable(),
  /**
   * Which way `largestDatagramBytes` is proved: `both-ways` when the answer to every size up to it was at
   * least as large as its request (the server padded it, RFC 5780 §7.6), `to-server` when some answer was
   * smaller (a server that ignores PADDING still proves that the request arrived); null when not judged.
   */
  direction: z.enum(['both-ways', 'to-server']).nullable(),
  /**
   * Every size tried, in order: whether its answer came back, and the answer's size as an IP datagram
   * (bytes; null without an answer). A size whose transaction the deadline ended is not listed.
   */
  probes: z.array(
    z.object({ bytes: z.number().int(), answered: z.boolean(), responseBytes: z.number().int().nullable() }),
  ),
  /** What it means for calls, in words (DTLS handshakes with large certificates, video packets). */
  meaning: z.string(),
  reason: z.string().optional(),
});

export type PathMtu = z.infer<typeof pathMtuSchema>;
