import { z } from 'zod';

/**
 * The largest UDP datagram that reaches a STUN server and comes back (issue 16 §5): Binding requests made
 * large with PADDING (RFC 5780 §7.6), sizes bisected between 548 and 1500 bytes. Sizes are whole IP
 * datagram bytes (IP + UDP headers + STUN message). Null sizes carry the reason in `reason`.
 */
export const pathMtuSchema = z.object({
  method: z.literal('stun-padding'),
  /** The server asked, as a URL. */
  server: z.string(),
  /** Largest IP datagram (bytes) that came back together with every smaller size tried; null when unknown. */
  largestDatagramBytes: z.number().int().nullable(),
  /** Smallest size (bytes) that did not come back; null when 1500 came back or nothing was judged. */
  smallestLostBytes: z.number().int().nullable(),
  /** Every size tried, in order, and whether its answer came back. */
  probes: z.array(z.object({ bytes: z.number().int(), answered: z.boolean() })),
  /** What it means for calls, in words (DTLS handshakes with large certificates, video packets). */
  meaning: z.string(),
  reason: z.string().optional(),
});

export type PathMtu = z.infer<typeof pathMtuSchema>;
