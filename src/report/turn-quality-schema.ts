import { z } from 'zod';

/** Round-trip times of one paced stream, in ms (null when fewer than 2 echoes came back). */
export const rttPercentilesSchema = z.object({
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  min: z.number(),
  max: z.number(),
});

/**
 * Relay quality over one transport (issue 15 §3): a short paced stream of echoes through the relay (client →
 * relay → peer → relay → client), and the largest datagram that survives the path.
 */
export const relayQualitySchema = z.object({
  /** Echo probes sent and answered. */
  sent: z.number().int().min(0),
  received: z.number().int().min(0),
  /** Lost share, 0–100 (%), null when nothing was sent. */
  lossPercent: z.number().min(0).max(100).nullable(),
  rttMs: rttPercentilesSchema.nullable(),
  /** Mean absolute difference of consecutive RTTs (RFC 3550 §6.4.1 style), ms; null with < 3 echoes. */
  jitterMs: z.number().nullable(),
  /** Interval between probes, ms, and the stream's length, ms. */
  intervalMs: z.number(),
  durationMs: z.number(),
  /**
   * Largest relayed payload (bytes, application data inside ChannelData) that came back, of the sizes tried
   * between 500 and 1500; null when none did.
   */
  maxDatagramBytes: z.number().int().nullable(),
  /** Every size tried, bytes, and whether it came back. */
  datagramSizes: z.array(z.object({ bytes: z.number().int(), ok: z.boolean() })),
  /** Why a value is missing (e.g. "the relay did not carry data"), or null. */
  reason: z.string().nullable(),
});

export type RttPercentiles = z.infer<typeof rttPercentilesSchema>;
export type RelayQuality = z.infer<typeof relayQualitySchema>;
