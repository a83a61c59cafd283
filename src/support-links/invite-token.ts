import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of an invite id and of its MAC (each 22 base64url characters). */
const ID_BYTES = 16;
const MAC_BYTES = 16;
const PART = /^[A-Za-z0-9_-]{22}$/;

/** The settings key of the invite-signing key (32 random bytes, base64url) in the store. */
export const INVITE_KEY_SETTING = 'invite-hmac-key';

/** A fresh random invite id: 16 bytes, base64url (22 characters). */
export function newInviteId(): string {
  return randomBytes(ID_BYTES).toString('base64url');
}

/** A fresh 32-byte signing key, base64url, for {@link INVITE_KEY_SETTING}. */
export function newInviteKey(): string {
  return randomBytes(32).toString('base64url');
}

function mac(key: Buffer, id: string): Buffer {
  return createHmac('sha256', key).update(`ice-doctor invite ${id}`).digest().subarray(0, MAC_BYTES);
}

/**
 * The token of invite `id` in a link: `<id>.<mac>`, where mac = the first 16 bytes of
 * HMAC-SHA256(`key`, "ice-doctor invite <id>") in base64url. Unguessable (128 random bits) and signed, so a
 * server rejects a forged token without a store lookup.
 */
export function signInvite(key: Buffer, id: string): string {
  return `${id}.${mac(key, id).toString('base64url')}`;
}

/**
 * The invite id of `token` when its MAC is valid under `key` (compared in constant time), else null. Any
 * text is accepted as input; nothing but the exact `<22>.<22>` base64url shape can pass.
 */
export function verifyInvite(key: Buffer, token: string): string | null {
  const [id, given, extra] = token.split('.');
  if (extra !== undefined || id === undefined || given === undefined) return null;
  if (!PART.test(id) || !PART.test(given)) return null;
  const expected = mac(key, id);
  const actual = Buffer.from(given, 'base64url');
  // The 22nd character carries 4 padding bits that decoding ignores: only the canonical spelling is valid,
  // so one invite has one token (rate limits are keyed by it).
  if (actual.length !== MAC_BYTES || actual.toString('base64url') !== given) return null;
  return timingSafeEqual(actual, expected) ? id : null;
}
