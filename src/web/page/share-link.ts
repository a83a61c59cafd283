import { UserError } from '../../errors.js';
import type { BrowserReport } from '../../report/browser-schema.js';
import { reportSchema } from '../../report/report-schema.js';
import { fromBase64Url, toBase64Url } from './base64url.js';
import { SHARE_PREFIX } from './share-prefix.js';

/**
 * Share links: the exported report travels in the URL fragment (`#report=` + base64url (RFC 4648 §5, no
 * padding) of the raw-DEFLATE (RFC 1951) of its JSON), so it never reaches a server. `CompressionStream` /
 * `DecompressionStream` (WHATWG Compression, `deflate-raw`) exist in browsers and Node ≥ 20.
 */

/** The longest fragment encoded or accepted, in characters (well within every browser's URL limit). */
export const MAX_FRAGMENT_CHARS = 32_768;
/** The most JSON a fragment may inflate to, in bytes (a guard against a crafted deflate bomb). */
export const MAX_JSON_BYTES = 1_048_576;

/**
 * A share link that cannot be made or read. `code`: `share-too-large` (the report compresses to more than
 * {@link MAX_FRAGMENT_CHARS}, or inflates to more than {@link MAX_JSON_BYTES}), `share-not-a-link` (no
 * `#report=`), `share-bad-encoding` (not base64url or not raw DEFLATE), `share-bad-json`, `share-invalid-report`
 * (not a browser report of schemaVersion 1).
 */
export class ShareLinkError extends UserError {
  override name = 'ShareLinkError';
}

/** Reads a whole stream into one array, throwing `share-too-large` with `tooLarge` past `limitBytes`. */
async function collect(
  stream: ReadableStream<Uint8Array>,
  limitBytes: number,
  tooLarge: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      await reader.cancel();
      throw new ShareLinkError('share-too-large', tooLarge);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function pipe(
  bytes: Uint8Array<ArrayBuffer>,
  through: CompressionStream | DecompressionStream,
): ReadableStream<Uint8Array> {
  return new Blob([bytes]).stream().pipeThrough(through);
}

/**
 * The fragment of a share link for a report: `#report=<base64url(deflate-raw(JSON))>`. Pass an exported report
 * (see `exportReport`): this function neither validates nor redacts.
 * @throws ShareLinkError `share-too-large` when the fragment would exceed {@link MAX_FRAGMENT_CHARS}.
 */
export async function encodeShareFragment(report: BrowserReport): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(report));
  const tooLarge = `the report is too large for a link (more than ${MAX_FRAGMENT_CHARS} characters): download it instead`;
  const packed = await collect(
    pipe(json, new CompressionStream('deflate-raw')),
    MAX_FRAGMENT_CHARS,
    tooLarge,
  );
  const fragment = SHARE_PREFIX + toBase64Url(packed);
  if (fragment.length > MAX_FRAGMENT_CHARS) throw new ShareLinkError('share-too-large', tooLarge);
  return fragment;
}

/**
 * Reads the report of a share link's fragment (`location.hash`, with or without the leading `#`): size guard,
 * base64url, raw inflate (at most {@link MAX_JSON_BYTES}), JSON, then `reportSchema` validation.
 * @throws ShareLinkError with the codes of {@link ShareLinkError}.
 */
export async function decodeShareFragment(fragment: string): Promise<BrowserReport> {
  const hash = fragment.startsWith('#') ? fragment : `#${fragment}`;
  if (!hash.startsWith(SHARE_PREFIX))
    throw new ShareLinkError('share-not-a-link', 'the link holds no report');
  if (hash.length > MAX_FRAGMENT_CHARS)
    throw new ShareLinkError('share-too-large', `the link is longer than ${MAX_FRAGMENT_CHARS} characters`);
  const packed = fromBase64Url(hash.slice(SHARE_PREFIX.length));
  if (!packed) throw new ShareLinkError('share-bad-encoding', 'the share link is damaged (not base64url)');
  let json: Uint8Array<ArrayBuffer>;
  try {
    json = await collect(
      pipe(packed, new DecompressionStream('deflate-raw')),
      MAX_JSON_BYTES,
      `the shared report inflates past ${MAX_JSON_BYTES} bytes`,
    );
  } catch (e) {
    if (e instanceof ShareLinkError) throw e;
    throw new ShareLinkError('share-bad-encoding', 'the share link is damaged (not a compressed report)');
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw new ShareLinkError('share-bad-json', 'the share link is damaged (not JSON)');
  }
  const parsed = reportSchema.safeParse(value);
  if (!parsed.success || parsed.data.kind !== 'browser')
    throw new ShareLinkError(
      'share-invalid-report',
      `the link holds no valid browser report${parsed.success ? ` (kind ${parsed.data.kind})` : `: ${parsed.error.issues[0]?.message ?? ''}`}`,
    );
  return parsed.data;
}
