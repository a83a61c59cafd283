/** The most bytes read of a UPnP description or SOAP response: real ones are a few KiB. */
export const MAX_UPNP_BODY_BYTES = 64 * 1024;

/**
 * The body of `response` as UTF-8 text, reading at most `limitBytes` (default 64 KiB) from the stream.
 * @throws Error when the body is longer (the stream is cancelled at once, nothing more is read), or when
 *   reading fails (abort, reset).
 */
export async function limitedText(response: Response, limitBytes = MAX_UPNP_BODY_BYTES): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`body longer than ${limitBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
