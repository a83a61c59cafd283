import { describe, expect, it } from 'vitest';
import { newInviteId, newInviteKey, signInvite, verifyInvite } from '../../src/support-links/invite-token.js';

const key = Buffer.from(newInviteKey(), 'base64url');

describe('invite tokens', () => {
  it('a signed token verifies to its id; another key, a changed id or a changed MAC does not', () => {
    const id = newInviteId();
    const token = signInvite(key, id);
    expect(verifyInvite(key, token)).toBe(id);
    expect(verifyInvite(Buffer.from(newInviteKey(), 'base64url'), token)).toBeNull();
    const other = newInviteId();
    expect(verifyInvite(key, `${other}.${token.split('.')[1]}`)).toBeNull();
    expect(verifyInvite(key, `${token}.x`)).toBeNull();
    expect(verifyInvite(key, id)).toBeNull();
  });

  it('only the canonical spelling of the MAC is valid (its last character carries 4 ignored bits)', () => {
    const token = signInvite(key, newInviteId());
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = token.at(-1) ?? '';
    const variants = [...alphabet]
      .filter((c) => c !== last)
      .map((c) => `${token.slice(0, -1)}${c}`)
      .filter((t) =>
        Buffer.from(t.split('.')[1] ?? '', 'base64url').equals(
          Buffer.from(token.split('.')[1] ?? '', 'base64url'),
        ),
      );
    expect(variants.length).toBe(15);
    for (const v of variants) expect(verifyInvite(key, v)).toBeNull();
  });
});
