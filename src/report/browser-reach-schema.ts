import { z } from 'zod';

/**
 * The page's proof that a TURN path's relay is reachable from outside the TURN host (issue 15 §1): the report
 * server, a peer that is not the TURN server, exchanged ICE connectivity checks (RFC 8445 §7.2) with the
 * visitor's relayed address through that TURN server (src/web/server/outside-peer.ts,
 * src/web/page/outside-reach.ts). An optional field of a path result (`pathResultSchema.outsideReach`).
 * - `reachable`: the browser's check pair to the report server's socket reached `succeeded` (its checks
 *   left the relay port and the answers came back in) and the report server saw the checks come from this
 *   relayed address;
 * - `not-reachable`: the pair did not succeed and failed (or checks went unanswered for seconds), and the
 *   report server could have been reached from the relay (`detail` says which direction was seen);
 * - `not-proved`: the proof could not show reach from outside: the report server and the TURN server run on
 *   the same host (the bundled server, or the same address), or the report server has no responder, or the
 *   proof could not run (`detail` says which).
 */
export const outsideReachSchema = z.object({
  result: z.enum(['reachable', 'not-reachable', 'not-proved']),
  /** The report server's responder, `ip:port`; null when it has none. */
  reportServer: z.string().nullable(),
  /** The browser's relayed address the checks left from (`ip:port`, from getStats); null when unknown. */
  relayedAddress: z.string().nullable(),
  /** The source addresses the report server answered checks from (`ip:port`), for this path. */
  seenByReportServer: z.array(z.string()),
  /** One plain sentence: why this result, and what to do about a failure. */
  detail: z.string(),
});

export type OutsideReach = z.infer<typeof outsideReachSchema>;
