import type { InviteRecord } from '../../../store/types.js';
import { signInvite } from '../../../support-links/invite-token.js';
import type { SupportDeps } from '../../server/support-deps.js';
import type { InviteView } from '../admin-api.js';

/**
 * Whether an invite takes reports at `nowMs`: `revoked`, else `expired` (its expiry is not after now), else
 * `used-up` (every run taken), else `open`.
 */
export function inviteStatus(invite: InviteRecord, nowMs: number): InviteView['status'] {
  if (invite.revokedAtMs !== null) return 'revoked';
  if (invite.expiresAtMs <= nowMs) return 'expired';
  if (invite.runsUsed >= invite.maxRuns) return 'used-up';
  return 'open';
}

/** The dashboard's view of an invite: the record, its link `<baseUrl>/i/<signed token>` and its status. */
export function inviteView(deps: SupportDeps, invite: InviteRecord): InviteView {
  return {
    ...invite,
    url: `${deps.baseUrl()}/i/${signInvite(deps.inviteKey, invite.id)}`,
    status: inviteStatus(invite, deps.now()),
  };
}
