import { z } from 'zod';
import { pathKindSchema, relayPortRangeSchema } from '../report/browser-schema.js';
import { probeReportSchema, transportAddressSchema } from '../report/schema.js';

/**
 * The report server's JSON API, shared by the server (which builds the responses) and the page (which
 * validates them before use). No field ever carries a static TURN secret: TURN credentials in
 * `/api/ice-servers` are minted per request (TURN REST API, draft-uberti-behave-turn-rest-00) or are the
 * operator's static user for a server configured with one.
 */

/** The label (`PathTarget.server`) of the bundled TURN server's paths: it runs beside the report server. */
export const BUNDLED_SERVER_LABEL = 'bundled';

/** One entry of `RTCConfiguration.iceServers` (W3C WebRTC §4.2.4), with one URL. */
export const iceServerSchema = z.object({
  urls: z.string(),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** One row of the page's path matrix: a URL × transport, tested in its own peer connection. */
export const pathTargetSchema = z.object({
  /** Stable id, e.g. `stun-1`, `turn-udp-1`; used as `pathId` in the report. */
  id: z.string(),
  kind: pathKindSchema,
  /** Label of the server it belongs to (`bundled`, or the host of a configured URL). */
  server: z.string(),
  iceServer: iceServerSchema,
  /** A TURN target's relay port range (RFC 8656 §6.2), when the server knows it (the bundled one). */
  relayPorts: relayPortRangeSchema.optional(),
});

/**
 * `GET /api/ice-servers` (rate-limited per client IP; `Cache-Control: no-store`): the ICE servers with
 * fresh credentials for this visitor, and the matrix of paths to test.
 */
export const iceConfigSchema = z.object({
  /** Every server at once, for the `iceTransportPolicy: 'all'` call and the two-peer test. */
  iceServers: z.array(iceServerSchema),
  targets: z.array(pathTargetSchema),
  /** Lifetime of the minted TURN credentials in s, and their expiry (ISO 8601); null when static. */
  credentialTtlS: z.number().nullable(),
  expiresAt: z.string().nullable(),
});

/** `GET /api/config`: how to reach signaling, and who the server thinks the visitor is. */
export const pageConfigSchema = z.object({
  version: z.string(),
  /** The visitor's address and port as the report server's socket saw the request (no proxy headers). */
  visitor: transportAddressSchema,
  signaling: z.object({
    /** Path of the WebSocket endpoint on both the HTTP and HTTPS ports. */
    path: z.string(),
    httpPort: z.number().int().nullable(),
    httpsPort: z.number().int().nullable(),
  }),
  /**
   * The first `serve --public-host` name (the name visitors on other devices reach the page by), or null when
   * none is configured: the page then only knows the host it was loaded from.
   */
  publicHost: z.string().nullable(),
});

/** `GET /api/probe`: the report server's own RFC 5780 probe of its STUN server, or why there is none. */
export const serverProbeSchema = z.object({
  report: probeReportSchema.nullable(),
  reason: z.string().nullable(),
});

/**
 * `POST /api/outside-peer` (rate-limited per client IP): an ICE-lite session of the report server's
 * outside-peer responder (src/web/server/outside-peer.ts), for the page's "reachable from outside the TURN
 * host" proof. The page builds the remote description from it: `a=ice-lite`, these credentials, the
 * fingerprint, and one UDP host candidate. Answered 503 `{error: 'outside-peer-unavailable'}` when the
 * report server has no responder (it listens on a wildcard address and has no IP to advertise).
 */
export const outsidePeerOfferSchema = z.object({
  /** ICE username fragment (RFC 8445 §5.3): 16 hex characters. */
  ufrag: z.string().regex(/^[0-9a-f]{16}$/),
  /** ICE password: 32 hex characters (128 bits). */
  pwd: z.string().regex(/^[0-9a-f]{32}$/),
  /** SDP `a=fingerprint:sha-256` value; no DTLS is done with it. */
  fingerprint: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
  /** The responder's UDP socket: the report server's host candidate. */
  candidate: transportAddressSchema,
  /** When the responder stops answering this ufrag (ISO 8601). */
  expiresAt: z.string().datetime(),
});

/**
 * `GET /api/outside-peer/:ufrag`: the source addresses the responder answered valid checks from (the
 * visitor's relayed address when the relay works), first seen first; 404 once the ufrag has expired.
 */
export const outsidePeerSeenSchema = z.object({
  seen: z.array(transportAddressSchema),
});

export type IceServer = z.infer<typeof iceServerSchema>;
export type PathTarget = z.infer<typeof pathTargetSchema>;
export type IceConfig = z.infer<typeof iceConfigSchema>;
export type PageConfig = z.infer<typeof pageConfigSchema>;
export type ServerProbe = z.infer<typeof serverProbeSchema>;
export type OutsidePeerOffer = z.infer<typeof outsidePeerOfferSchema>;
export type OutsidePeerSeen = z.infer<typeof outsidePeerSeenSchema>;
