import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type TransportAddress, transportAddress } from '../stun/address.js';
import type { StunUrl } from './url.js';

const CANNOT_RESOLVE = ': cannot resolve (';

/** Why a server could not be resolved, in one line: `<host>: cannot resolve (<cause>)`. */
export class ResolveError extends Error {
  override readonly name = 'ResolveError';
  /**
   * @param host the name that was looked up.
   * @param cause the resolver's code (`ENOTFOUND`, `EAI_AGAIN` ...) or the timeout.
   */
  constructor(host: string, cause: string) {
    super(`${host}${CANNOT_RESOLVE}${cause})`);
  }
}

/** True when a report's error text is a {@link ResolveError} message (the server name did not resolve). */
export function isResolveFailure(text: string | undefined): boolean {
  return text?.includes(CANNOT_RESOLVE) ?? false;
}

/**
 * Resolves a URL's host to one transport address (IPv4 preferred), failing fast: an IP literal needs no
 * lookup; a name gets one `getaddrinfo` bounded by `timeoutMs`. Takes any parsed STUN or TURN URL (both
 * have host and port).
 * @throws ResolveError with a one-line reason (`ENOTFOUND`, timeout) — never hangs past `timeoutMs`.
 */
export async function resolveServer(
  url: Pick<StunUrl, 'host' | 'port'>,
  timeoutMs: number,
): Promise<TransportAddress> {
  if (isIP(url.host)) return transportAddress(url.host, url.port);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ResolveError(url.host, `DNS lookup timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const found = await Promise.race([lookup(url.host, { family: 0, order: 'ipv4first' }), timeout]);
    return transportAddress(found.address, url.port);
  } catch (err) {
    if (err instanceof ResolveError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ResolveError(url.host, code);
  } finally {
    clearTimeout(timer);
  }
}
