/** The support link's token in the page's path (src/web/page/invite-path.ts) and the path links made on it carry. */
import { describe, expect, it } from 'vitest';
import { newInviteId, newInviteKey, signInvite } from '../../src/support-links/invite-token.js';
import { invitePath, shareablePath } from '../../src/web/page/invite-path.js';

const ID = 'AbCdEfGhIjKlMnOpQrStUv';
const MAC = '0123456789_-abcdefghij';
const TOKEN = `${ID}.${MAC}`;

describe('invitePath', () => {
  it('reads the token of /i/<22>.<22>', () => {
    expect(invitePath(`/i/${TOKEN}`)).toEqual({ kind: 'invite', token: TOKEN });
  });

  it('reads every token signInvite makes (support-links/invite-token.ts)', () => {
    const key = Buffer.from(newInviteKey(), 'base64url');
    for (let i = 0; i < 200; i++) {
      const token = signInvite(key, newInviteId());
      expect(invitePath(`/i/${token}`)).toEqual({ kind: 'invite', token });
    }
  });

  it('is not a support link outside /i/: the page runs as always', () => {
    for (const path of [
      '/',
      '/index.html',
      '/x/',
      `/${TOKEN}`,
      `/ii/${TOKEN}`,
      `/I/${TOKEN}`,
      '/i',
      `/api/invites/${TOKEN}`,
    ])
      expect(invitePath(path), path).toEqual({ kind: 'none' });
  });

  it('is malformed under /i/ when it is not exactly one token', () => {
    const bad = [
      '/i/',
      `/i/${ID}`,
      `/i/${ID}.`,
      `/i/${TOKEN}/`,
      `/i/${TOKEN}.`,
      `/i/${TOKEN}x`,
      `/i/${ID.slice(1)}.${MAC}`,
      `/i/${ID}.${MAC.slice(1)}`,
      `/i/${ID}.${MAC}/extra`,
      `/i/${ID}+${MAC}`,
      `/i/${ID.replace('A', '%41')}.${MAC}`,
      `/i/${ID.slice(0, 21)}=.${MAC}`,
      `/i/x/${TOKEN}`,
    ];
    for (const path of bad) expect(invitePath(path), path).toEqual({ kind: 'malformed' });
  });
});

describe('shareablePath', () => {
  it('is / on a support link (well formed or not), the path itself elsewhere', () => {
    expect(shareablePath(`/i/${TOKEN}`)).toBe('/');
    expect(shareablePath('/i/nope')).toBe('/');
    expect(shareablePath('/')).toBe('/');
    expect(shareablePath('/x/')).toBe('/x/');
  });
});
