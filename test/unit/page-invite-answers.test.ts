/**
 * The support-link API's answers as the page reads them (src/web/page/invite-answers.ts with the shared
 * schemas of src/web/invite-api-schema.ts): open, refused, error; sent, failed with or without a retry.
 */
import { describe, expect, it } from 'vitest';
import { INVITE_REPORT_MAX_BYTES } from '../../src/web/invite-api-schema.js';
import {
  networkFailure,
  readSendAnswer,
  readStatusAnswer,
  reportBody,
} from '../../src/web/page/invite-answers.js';

const ID = 'AbCdEfGhIjKlMnOpQrStUv';
const OPEN = { status: 'open', collectsIps: false, expiresAt: '2026-12-13T05:00:00.000Z', runsLeft: 2 };
const json = (v: unknown): string => JSON.stringify(v);

describe('readStatusAnswer (GET /api/invites/:token)', () => {
  it('200 open: the status', () => {
    expect(readStatusAnswer(200, json(OPEN))).toEqual({ kind: 'open', status: OPEN });
  });

  it('404 and 410 with an invite-… code: refused, with the server’s words and date when given', () => {
    expect(readStatusAnswer(404, json({ error: 'invite-unknown' }))).toEqual({
      kind: 'refused',
      refusal: { error: 'invite-unknown' },
    });
    const expired = {
      error: 'invite-expired',
      message: 'This link expired.',
      expiresAt: '2026-12-01T00:00:00Z',
    };
    expect(readStatusAnswer(410, json(expired))).toEqual({ kind: 'refused', refusal: expired });
    for (const error of ['invite-used-up', 'invite-revoked'])
      expect(readStatusAnswer(410, json({ error, message: 'm' }))).toMatchObject({
        kind: 'refused',
        refusal: { error },
      });
  });

  it('anything else is an error in words, never an open link', () => {
    const cases: [number, string, RegExp][] = [
      [200, json({ ...OPEN, status: 'closed' }), /answered 200, which this page does not understand/],
      [200, json({ ...OPEN, expiresAt: 'tomorrow' }), /answered 200/],
      [200, '<html>proxy</html>', /is a proxy in the way/],
      [404, 'Not Found', /answered 404/],
      [410, json({ error: 'gone' }), /answered 410/],
      [429, json({ error: 'rate-limited' }), /too many requests from here; wait a minute/],
      [
        500,
        json({ error: 'internal', message: 'database is locked.' }),
        /answered 500 \(database is locked\)/,
      ],
    ];
    for (const [status, body, why] of cases) {
      const outcome = readStatusAnswer(status, body);
      expect(outcome.kind, `${status} ${body}`).toBe('error');
      if (outcome.kind === 'error') expect(outcome.why).toMatch(why);
    }
  });
});

describe('readSendAnswer (POST /api/invites/:token/report)', () => {
  it('201 {id}: sent with the reference', () => {
    expect(readSendAnswer(201, json({ id: ID }))).toEqual({ kind: 'sent', id: ID });
  });

  it('201 without a valid id: failed, not retried (the report may be stored)', () => {
    expect(readSendAnswer(201, json({ id: 'x' }))).toMatchObject({ kind: 'failed', retry: false });
  });

  it('refused by the link, invalid, too large: failed, no retry (it cannot change)', () => {
    expect(readSendAnswer(410, json({ error: 'invite-used-up', message: 'used up' }))).toEqual({
      kind: 'failed',
      why: 'this link is used up (it has sent as many reports as it allows)',
      retry: false,
    });
    expect(readSendAnswer(410, json({ error: 'invite-expired' }))).toMatchObject({
      why: 'this link has expired',
      retry: false,
    });
    expect(readSendAnswer(404, json({ error: 'invite-unknown' }))).toMatchObject({ retry: false });
    expect(readSendAnswer(400, json({ error: 'report-invalid', message: 'paths: expected array.' }))).toEqual(
      {
        kind: 'failed',
        why: 'the server refused the report as invalid (paths: expected array)',
        retry: false,
      },
    );
    expect(readSendAnswer(413, json({ error: 'report-too-large' }))).toEqual({
      kind: 'failed',
      why: 'the report is larger than the server takes (512 KiB)',
      retry: false,
    });
  });

  it('rate-limited, a server error, an unexpected answer, a lost connection: failed, may be retried', () => {
    expect(readSendAnswer(429, json({ error: 'rate-limited' }))).toMatchObject({
      kind: 'failed',
      why: expect.stringMatching(/too many reports from this link or this address/),
      retry: true,
    });
    expect(readSendAnswer(503, 'Service Unavailable')).toEqual({
      kind: 'failed',
      why: 'the server had a problem (503)',
      retry: true,
    });
    expect(readSendAnswer(302, '')).toMatchObject({ kind: 'failed', retry: true });
    expect(networkFailure('h:1', 'Failed to fetch')).toEqual({
      kind: 'failed',
      why: 'the connection to h:1 failed (Failed to fetch)',
      retry: true,
    });
  });
});

describe('reportBody', () => {
  it('is the JSON up to 512 KiB of UTF-8, null beyond (the page says "too large" and sends nothing)', () => {
    const overhead = json({ s: '' }).length;
    const fits = { s: 'a'.repeat(INVITE_REPORT_MAX_BYTES - overhead) };
    expect(reportBody(fits)).toBe(json(fits));
    expect(reportBody({ s: 'a'.repeat(INVITE_REPORT_MAX_BYTES - overhead + 1) })).toBeNull();
    // 'é' is 2 bytes in UTF-8: counted in bytes, not characters.
    expect(reportBody({ s: 'é'.repeat((INVITE_REPORT_MAX_BYTES - overhead) / 2 + 1) })).toBeNull();
  });
});
