/**
 * base64url without padding (RFC 4648 §5), the encoding of the page's link fragments (`#report=`,
 * `#servers=`): URL-safe, so a fragment needs no percent-encoding; and plain base64 (§4), which it is built
 * on, for the TURN REST credentials the page mints.
 */

/** `bytes` as base64 with padding (RFC 4648 §4), e.g. a TURN REST credential. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** `bytes` as base64url, no padding. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The bytes of a base64url text (padding absent), or null when it is not base64url (another character, or
 * a length that no byte count encodes to).
 */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
