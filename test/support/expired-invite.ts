import type { Store } from '../../src/store/types.js';
import { createInviteLink } from '../../src/support-links/create-invite.js';
import { INVITE_KEY_SETTING } from '../../src/support-links/invite-token.js';

/**
 * An invite that has already expired: made through `createInviteLink` 2 minutes ago for 1 minute (the
 * shortest expiry the CLI and dashboard accept is longer than a test can wait), 3 runs, IPs collected, on
 * `store` with its own invite key; its link on `baseUrl`.
 */
export async function expiredInvite(store: Store, baseUrl: string) {
  const key = Buffer.from((await store.getSetting(INVITE_KEY_SETTING)) ?? '', 'base64url');
  return createInviteLink(
    { store, inviteKey: key, now: () => Date.now() - 120_000 },
    { label: 'late', expiresInMs: 60_000, maxRuns: 3, collectIps: true, webhookUrl: null, createdBy: 'test' },
    baseUrl,
  );
}
