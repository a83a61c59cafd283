import { readFileSync } from 'node:fs';

/**
 * Datagrams the kernel dropped at the IPv4 UDP socket bound on 127.0.0.1:`port` (its receive buffer was
 * full), from the `drops` column of /proc/net/udp; 0 when there is no such socket.
 */
export function udpDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[1] === local) return Number(cols.at(-1));
  }
  return 0;
}
