import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries a webhook's signature. */
export const SIGNATURE_HEADER = 'X-Ice-Doctor-Signature';

/** How far a signature's time may be from the receiver's clock by default, in s. */
export const DEFAULT_TOLERANCE_S = 300;

function hmacHex(secret: string | Buffer, t: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex');
}

/**
 * The signature header value of one webhook POST: `t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
 * (the scheme of Stripe's webhooks: the time inside the MAC stops replays beyond the tolerance).
 * @param nowS the sending time, Unix seconds (whole).
 */
export function signWebhook(secret: string | Buffer, rawBody: string | Buffer, nowS: number): string {
  const t = Math.floor(nowS);
  return `t=${t},v1=${hmacHex(secret, t, rawBody)}`;
}

/**
 * For receivers (and tests): true when `header` (the `X-Ice-Doctor-Signature` value) holds a `t=` within
 * `toleranceS` of `nowS` and a `v1=` equal, in constant time, to HMAC-SHA256(`secret`, "<t>.<rawBody>") in
 * hex. `rawBody` must be the bytes as received, before any JSON parsing. Any other header (missing parts,
 * a second `t=`, not hex) is false; it never throws. Several `v1=` are allowed (one may match), so a sender
 * can sign with an old and a new secret during a rotation.
 * @param nowS the receiver's clock, Unix seconds.
 * @param toleranceS the largest accepted |nowS − t|, in s (default 300).
 */
export function verifyWebhookSignature(
  secret: string | Buffer,
  header: string | undefined,
  rawBody: string | Buffer,
  nowS: number,
  toleranceS: number = DEFAULT_TOLERANCE_S,
): boolean {
  if (typeof header !== 'string' || header.length > 4096) return false;
  const parts = header.split(',').map((p) => p.trim().split('='));
  const ts = parts.filter(([k]) => k === 't');
  const sigs = parts.filter(([k, v]) => k === 'v1' && typeof v === 'string' && /^[0-9a-f]{64}$/.test(v));
  if (ts.length !== 1 || sigs.length === 0 || !/^\d{1,12}$/.test(ts[0]![1] ?? '')) return false;
  const t = Number(ts[0]![1]);
  if (Math.abs(nowS - t) > toleranceS) return false;
  const expected = Buffer.from(hmacHex(secret, t, rawBody), 'hex');
  return sigs.some(([, v]) => timingSafeEqual(Buffer.from(v!, 'hex'), expected));
}
