import { readFile } from 'node:fs/promises';

/**
 * The IPv4 default gateway from the text of Linux's `/proc/net/route` (columns Iface, Destination, Gateway,
 * Flags …; addresses as little-endian hex): the first route with destination 0.0.0.0, mask 0 and the
 * RTF_GATEWAY flag (0x2). Null when there is none.
 */
export function parseDefaultGateway(procNetRoute: string): string | null {
  for (const line of procNetRoute.split('\n').slice(1)) {
    const [, destination, gateway, flags, , , , mask] = line.trim().split(/\s+/);
    if (destination !== '00000000' || mask !== '00000000' || !gateway || !flags) continue;
    if ((Number.parseInt(flags, 16) & 0x2) === 0) continue;
    const n = Number.parseInt(gateway, 16);
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
  }
  return null;
}

/** The IPv4 default gateway of this Linux host, or null (no default route, or not Linux: no /proc/net/route). */
export async function defaultGateway(): Promise<string | null> {
  const text = await readFile('/proc/net/route', 'utf8').catch(() => null);
  return text === null ? null : parseDefaultGateway(text);
}
