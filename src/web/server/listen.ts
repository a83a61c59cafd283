import type { Server } from 'node:net';
import { UserError } from '../../errors.js';
import { type Family, formatAddress, type TransportAddress } from '../../wire/address.js';

const REASONS: Record<string, [string, string]> = {
  EADDRINUSE: ['address-in-use', 'address in use'],
  EADDRNOTAVAIL: ['address-unavailable', 'no such local address'],
  EACCES: ['permission-denied', 'permission denied (ports below 1024 need privileges)'],
};

/**
 * Starts `server` (node:http or node:https) listening on `host:port` and resolves with the bound address.
 * @param host an IP literal (a wildcard such as `0.0.0.0` is allowed for the page).
 * @param port 0 lets the operating system pick.
 * @param what words for the message, e.g. `the report page (HTTP)`.
 * @throws UserError (exit 2) with a one-line message: `address-in-use` ("cannot serve the report page
 *   (HTTP) on 127.0.0.1:8080: address in use"), `address-unavailable`, `permission-denied` or `listen-failed`.
 */
export function listenOn(
  server: Server,
  host: string,
  port: number,
  what: string,
): Promise<TransportAddress> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const [code, text] = REASONS[err.code ?? ''] ?? ['listen-failed', err.code ?? err.message];
      reject(
        new UserError(code, `cannot serve ${what} on ${formatAddress({ address: host, port })}: ${text}`),
      );
    };
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const bound = server.address();
      if (bound === null || typeof bound === 'string') {
        reject(new UserError('listen-failed', `cannot serve ${what}: no address after listen`));
        return;
      }
      resolve({ address: bound.address, port: bound.port, family: bound.family as Family });
    });
  });
}
