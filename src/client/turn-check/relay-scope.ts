import { formatAddress, type TransportAddress } from '../../wire/address.js';
import { addressScope } from './address-scope.js';
import { type Finding, fail } from './judged.js';

/**
 * True when relayed address `relayed` cannot serve peers that reach the server at `server`: the server is
 * reached on a public address and the relayed one is not, or the server is reached on a private one and the
 * relayed address is loopback or unspecified (only the server's own host could send to it).
 */
export function privateRelay(server: TransportAddress, relayed: TransportAddress): boolean {
  const s = addressScope(server.address);
  const r = addressScope(relayed.address);
  if (s === 'public') return r !== 'public';
  return s !== 'loopback' && (r === 'loopback' || r === 'unspecified');
}

/**
 * The one `relay-address-private` finding (RFC 8656 §7.1: XOR-RELAYED-ADDRESS must be reachable by peers),
 * for the first Allocate's relayed address and for the reach check's, in the same words: null unless
 * {@link privateRelay}. The fix: the server's external IP (coturn external-ip, ice-doctor serve --external-ip).
 */
export function relayScopeFinding(
  server: TransportAddress | null,
  relayed: TransportAddress | null,
): Finding | null {
  if (!server || !relayed || !privateRelay(server, relayed)) return null;
  const scope = addressScope(relayed.address);
  const reached =
    addressScope(server.address) === 'public'
      ? `though you reach it at the public address ${server.address}: peers on the Internet cannot send to it`
      : `so only the server's own host can send to it (you reach the server at ${server.address})`;
  return fail(
    'relay-address-private',
    `The server hands out relayed address ${formatAddress(relayed)}, a ${scope} address, ${reached}. The ` +
      `external IP is not configured: coturn external-ip=${server.address}/${relayed.address}, ice-doctor serve ` +
      `--external-ip ${server.address}.`,
  );
}
