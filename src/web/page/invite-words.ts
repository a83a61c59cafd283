import type { InviteRefusalBody, InviteRefusalCode, InviteStatus } from '../invite-api-schema.js';

/**
 * Everything the page says to the visitor of a support link (issue 17), as plain text (the views set it with
 * `textContent`): the consent notice before anything runs, a refusal, and what became of the report.
 */

/** Formats an epoch-ms time for the visitor (see {@link inviteDateFormat}). */
export type DateFormat = (ms: number) => string;

/**
 * A long date and a short time, e.g. `6 December 2026 at 05:00`, in `locales` and `timeZone` (default: the
 * browser's own, which is what the visitor reads; tests pass fixed ones).
 */
export function inviteDateFormat(locales?: string | string[], timeZone?: string): DateFormat {
  const format = new Intl.DateTimeFormat(locales, { dateStyle: 'long', timeStyle: 'short', timeZone });
  return (ms) => format.format(ms);
}

/** The consent notice, one string per paragraph, and the label of its Start button. */
export interface ConsentNotice {
  readonly what: string;
  readonly toWhom: string;
  readonly never: string;
  readonly when: string;
  /** Until when the link works and how many more reports it takes. */
  readonly until: string;
  readonly start: string;
}

const REPORT = 'the network report of this test — the candidates, which paths worked, the verdict —';

const runs = (n: number): string => `${n} more ${n === 1 ? 'report' : 'reports'}`;

/**
 * The notice shown before anything runs on a support link: what will be sent (with or without the visitor's
 * IP addresses, as `status.collectsIps` says), to whom (`host`: this site's host name, `location.hostname`), what
 * never is (credentials), and that nothing runs before Start.
 */
export function consentNotice(status: InviteStatus, host: string, date: DateFormat): ConsentNotice {
  return {
    what: status.collectsIps
      ? `What will be sent: ${REPORT} and your IP addresses.`
      : `What will be sent: ${REPORT} without IP addresses (this link does not collect them).`,
    toWhom: `To whom: ${host}, the site this page comes from.`,
    never:
      'Never sent: TURN credentials — the usernames, passwords and shared secrets of this site’s servers and of any you add under “Your own STUN/TURN servers”.',
    when: 'Nothing runs and nothing is sent until you press Start. The report is sent once, when the test has finished (about half a minute).',
    until: `This link works until ${date(Date.parse(status.expiresAt))} and takes ${runs(status.runsLeft)}.`,
    start: 'Start the test',
  };
}

/** Why a link takes no report, in a few words (the middle of a sentence). */
const REASON: Readonly<Record<InviteRefusalCode, string>> = {
  'invite-unknown': 'this link is not valid (the server does not know it)',
  'invite-expired': 'this link has expired',
  'invite-used-up': 'this link is used up (it has sent as many reports as it allows)',
  'invite-revoked': 'this link was revoked',
};

/** What a refused visitor can do. */
const ASK_AGAIN = 'Ask whoever sent it to you for a new link.';

/** The end of every refusal. */
export const NOTHING_RAN = 'Nothing was tested and nothing was sent.';

/** A path under `/i/` that is not one token (invite-path.ts `malformed`), in words. */
export const MALFORMED_LINK =
  'This is not a valid support link: it is cut short or mistyped. Copy the whole link from the message you got, or ask whoever sent it for the link again.';

/**
 * The refusal of `GET /api/invites/:token` in words: expired (on a date in the visitor's time zone when the
 * server sent `expiresAt`), used up, revoked, not a valid link. Always the page's own words; the server's
 * `message` is not shown.
 */
export function refusalText(refusal: InviteRefusalBody, date: DateFormat): string {
  switch (refusal.error) {
    case 'invite-expired':
      if (refusal.expiresAt !== undefined)
        return `This support link expired on ${date(Date.parse(refusal.expiresAt))}. ${ASK_AGAIN}`;
      return `This support link has expired. ${ASK_AGAIN}`;
    case 'invite-used-up':
      return `This support link is used up: it has already sent as many reports as it allows. ${ASK_AGAIN}`;
    case 'invite-revoked':
      return `This support link was revoked by whoever made it. ${ASK_AGAIN}`;
    case 'invite-unknown':
      return `This is not a valid support link: the server does not know it (mistyped, or made for another server). ${ASK_AGAIN}`;
  }
}

/** The refusal's short reason, for "Not sent: …" when the link is refused only at sending. */
export function refusalReason(code: InviteRefusalCode): string {
  return REASON[code];
}

/** Shown while the report is on its way. */
export const sendingText = (host: string): string => `Sending the report to ${host}…`;

/** Shown once the server stored the report: `id` is its reference. */
export const sentText = (host: string, id: string): string => `Sent to ${host} — reference ${id}.`;

/** The line under {@link sentText}. */
export const SENT_HINT = 'Give this reference to whoever sent you the link, so they find your report.';

/** "Not sent: <why>." */
export const notSentText = (why: string): string => `Not sent: ${why}.`;

/** What to do when the report was not sent: the export panel's download. */
export const EMAIL_INSTEAD =
  'Download the report and send it by email instead: use “Download JSON” under Export.';

/** Why nothing was sent when the test itself could not run (page-error says why). */
export const RUN_FAILED = 'the test could not run, so there is no report to send';
