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
 * relay → peer → relay → client), and the largest datagram that survives the path. The peer is turn-check's
 * second allocation on the same server, echoing every probe back on the channel bound both ways, so one echo
 * crosses the client–server path four times (A → server, server → B, B → server, server → A) and the
 * server's relay-to-relay UDP leg twice. Over TCP/TLS the client legs are reliable (TCP retransmits), so
 * loss is the relay's own UDP legs and retransmission delay shows as RTT and jitter. docs/json-report.md.
 */
export const relayQualitySchema = z.object({
  /** Echo probes sent and answered. */
  sent: z.number().int().min(0),
  received: z.number().int().min(0),
  /** Lost share of the echoes, 0–100 (%), null when nothing was sent. */
  lossPercent: z.number().min(0).max(100).nullable(),
  rttMs: rttPercentilesSchema.nullable(),
  /**
   * Mean absolute difference of the RTTs of consecutive answered probes (in send order; the instantaneous
   * delay variation RFC 3550 §6.4.1 smooths), ms; null with < 3 echoes.
   */
  jitterMs: z.number().nullable(),
  /** Interval between probes, ms, and the measure's wall time (stream, wait for late echoes, sizes), ms. */
  intervalMs: z.number(),
  durationMs: z.number(),
  /**
   * Largest relayed payload (bytes, application data inside ChannelData) that came back together with every
   * smaller size tried, of the sizes between 500 and 1500; null when the smallest did not (or none was
   * tried). Larger sizes may still come back (`datagramSizes`): datagrams over this host's own MTU are
   * fragmented here and pass a path that black-holes whole ones.
   */
  maxDatagramBytes: z.number().int().nullable(),
  /** Every size tried, bytes, and whether it came back, ascending. */
  datagramSizes: z.array(z.object({ bytes: z.number().int(), ok: z.boolean() })),
  /**
   * Why a value is missing or not to be trusted (e.g. "not measured: ChannelData did not arrive both
   * ways"), or null. With a reason and `sent` 0 the relay's quality is unknown, not bad.
   */
  reason: z.string().nullable(),
  /** Payload of each stream probe, bytes (one 20 ms audio frame's worth). */
  probeBytes: z.number().int().min(0).optional(),
  /**
   * True when the check's deadline ended the measure early: `sent`/`lossPercent` count only the probes whose
   * wait for an echo completed, sizes not back yet are left out of `datagramSizes`, and no loss or size
   * warning is given. Absent otherwise.
   */
  cutShort: z.boolean().optional(),
});

export type RttPercentiles = z.infer<typeof rttPercentilesSchema>;
export type RelayQuality = z.infer<typeof relayQualitySchema>;
