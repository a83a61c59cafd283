import type { Response } from 'express';
import type { InviteRefusal } from '../../store/types.js';
import type { ApiError } from './api-errors.js';

const ASK = 'Ask whoever sent it for a new link.';

/** The visitor's words for each closed invite. */
const WORDS: Readonly<Record<Exclude<InviteRefusal, 'unknown'>, string>> = {
  expired: `This support link has expired. ${ASK}`,
  'used-up': `This support link has been used as many times as it allows. ${ASK}`,
  revoked: `This support link was withdrawn by whoever sent it. ${ASK}`,
};

/**
 * Answers a refused invite as the support-link API says: `404 {error: 'invite-unknown'}` (a forged token or
 * no such invite), `410 {error: 'invite-expired' | 'invite-used-up' | 'invite-revoked', message}` with the
 * reason in words for the visitor.
 */
export function sendRefusal(res: Response, refusal: InviteRefusal): void {
  if (refusal === 'unknown') {
    const body: ApiError = {
      error: 'invite-unknown',
      message: 'There is no such support link. Check that the whole link was copied.',
    };
    res.status(404).json(body);
    return;
  }
  const body: ApiError = { error: `invite-${refusal}`, message: WORDS[refusal] };
  res.status(410).json(body);
}
