import type { RequestHandler } from 'express';
import { verifyInvite } from '../../support-links/invite-token.js';
import { sendRefusal } from './invite-refusal.js';
import type { SupportDeps } from './support-deps.js';

/** The body of `GET /api/invites/:token` for an open invite. */
export interface InviteStatus {
  status: 'open';
  /** False: IP addresses are removed before the report is stored (the page sends its redacted export). */
  collectsIps: boolean;
  /** ISO 8601 (UTC). */
  expiresAt: string;
  /** Reports the link still takes. */
  runsLeft: number;
}

/**
 * `GET /api/invites/:token`: 200 {@link InviteStatus} for an open invite; 404/410 as `sendRefusal` for a
 * forged token (checked without the store), an unknown, expired, used-up or revoked one. `collectsIps` is
 * false when the invite or `serve --scrub-ips` removes addresses.
 */
export function inviteStatus(deps: SupportDeps): RequestHandler<{ token: string }> {
  return async (req, res) => {
    const id = verifyInvite(deps.inviteKey, req.params.token);
    if (id === null) return sendRefusal(res, 'unknown');
    const refusal = await deps.store.inviteRefusal(id, deps.now());
    if (refusal !== null) return sendRefusal(res, refusal);
    const invite = await deps.store.getInvite(id);
    if (invite === null) return sendRefusal(res, 'unknown');
    const body: InviteStatus = {
      status: 'open',
      collectsIps: invite.collectIps && !deps.scrubIpsAlways,
      expiresAt: new Date(invite.expiresAtMs).toISOString(),
      runsLeft: Math.max(0, invite.maxRuns - invite.runsUsed),
    };
    res.json(body);
  };
}
