/** What the page says on a support link (src/web/page/invite-words.ts): the notice, the refusals, the result. */
import { describe, expect, it } from 'vitest';
import {
  consentNotice,
  inviteDateFormat,
  MALFORMED_LINK,
  notSentText,
  refusalReason,
  refusalText,
  sendingText,
  sentText,
} from '../../src/web/page/invite-words.js';

const utc = inviteDateFormat('en-GB', 'UTC');
const HOST = 'support.example.org:8443';
const open = {
  status: 'open',
  collectsIps: true,
  expiresAt: '2026-12-13T05:00:00.000Z',
  runsLeft: 3,
} as const;

describe('inviteDateFormat', () => {
  it('writes a long date and a short time in the given locale and zone', () => {
    expect(utc(Date.parse('2026-12-13T05:00:00Z'))).toBe('13 December 2026 at 05:00');
    expect(inviteDateFormat('en-US', 'America/New_York')(Date.parse('2026-12-13T05:00:00Z'))).toBe(
      'December 13, 2026 at 12:00 AM',
    );
  });
});

describe('consentNotice', () => {
  it('says the report and the IP addresses are sent, to this host, credentials never, nothing before Start', () => {
    const n = consentNotice(open, HOST, utc);
    expect(n.what).toBe(
      'What will be sent: the network report of this test — the candidates, which paths worked, the verdict — and your IP addresses.',
    );
    expect(n.toWhom).toContain(`To whom: ${HOST},`);
    expect(n.never).toMatch(/^Never sent: TURN credentials/);
    expect(n.when).toMatch(/^Nothing runs and nothing is sent until you press Start\./);
    expect(n.until).toBe('This link works until 13 December 2026 at 05:00 and takes 3 more reports.');
    expect(n.start).toBe('Start the test');
  });

  it('says the report goes without IP addresses when the link does not collect them', () => {
    const n = consentNotice({ ...open, collectsIps: false, runsLeft: 1 }, HOST, utc);
    expect(n.what).toBe(
      'What will be sent: the network report of this test — the candidates, which paths worked, the verdict — without IP addresses (this link does not collect them).',
    );
    expect(n.what).not.toContain('and your IP addresses');
    expect(n.until).toMatch(/takes 1 more report\.$/);
  });
});

describe('refusalText', () => {
  it('expired: on the date the server gave, in the visitor’s zone', () => {
    expect(refusalText({ error: 'invite-expired', expiresAt: '2026-12-01T09:30:00.000Z' }, utc)).toBe(
      'This support link expired on 1 December 2026 at 09:30. Ask whoever sent it to you for a new link.',
    );
  });

  it('expired without a date: plain words, not the server’s message', () => {
    for (const message of ['This support link has expired. Ask whoever sent it for a new link.', undefined])
      expect(refusalText({ error: 'invite-expired', ...(message && { message }) }, utc)).toBe(
        'This support link has expired. Ask whoever sent it to you for a new link.',
      );
  });

  it('used up, revoked, unknown: each in its own words, whatever the server’s message', () => {
    const text = (error: 'invite-used-up' | 'invite-revoked' | 'invite-unknown') =>
      refusalText({ error, message: '<b>server words</b>' }, utc);
    expect(text('invite-used-up')).toMatch(
      /^This support link is used up: it has already sent as many reports/,
    );
    expect(text('invite-revoked')).toMatch(/^This support link was revoked/);
    expect(text('invite-unknown')).toMatch(/^This is not a valid support link: the server does not know it/);
    for (const e of ['invite-used-up', 'invite-revoked', 'invite-unknown'] as const)
      expect(text(e)).not.toContain('server words');
  });

  it('a malformed path is "not a valid link" too', () => {
    expect(MALFORMED_LINK).toMatch(/^This is not a valid support link: it is cut short or mistyped\./);
  });
});

describe('the result', () => {
  it('sending, sent with the reference, not sent with the reason', () => {
    expect(sendingText(HOST)).toBe(`Sending the report to ${HOST}…`);
    expect(sentText(HOST, 'AbCdEfGhIjKlMnOpQrStUv')).toBe(
      `Sent to ${HOST} — reference AbCdEfGhIjKlMnOpQrStUv.`,
    );
    expect(notSentText(refusalReason('invite-used-up'))).toBe(
      'Not sent: this link is used up (it has sent as many reports as it allows).',
    );
  });
});
