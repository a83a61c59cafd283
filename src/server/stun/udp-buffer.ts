import type dgram from 'node:dgram';
import { readFileSync } from 'node:fs';

/**
 * The receive buffer of the server's UDP sockets. The kernel default (`net.core.rmem_default`, 212,992
 * bytes on most Linux systems) holds about 90 datagrams of 1 KB: a burst that arrives while the event
 * loop is busy beyond that is dropped by the kernel. coturn sizes its sockets' buffers itself; so does
 * this server.
 */

/** Receive buffer asked for each listening UDP socket, in bytes (4 MiB, as coturn's listeners). */
export const DEFAULT_UDP_BUFFER_BYTES = 4 * 1024 * 1024;
/** Smallest and largest `--udp-buffer-bytes` (0 keeps the kernel default), in bytes. */
export const MIN_UDP_BUFFER_BYTES = 65_536;
export const MAX_UDP_BUFFER_BYTES = 256 * 1024 * 1024;

/** What was asked for and what the kernel granted (SO_RCVBUF as read back), in bytes. */
export interface UdpBufferSize {
  /** 0: the kernel default was kept. */
  requested: number;
  /**
   * The smallest SO_RCVBUF of the server's UDP sockets as read back: the kernel's limit on queued bytes,
   * bookkeeping included (Linux reports twice the size it set, so 4 MiB asked reads 8 MiB).
   */
  granted: number;
}

/**
 * Asks the kernel for a receive buffer of `bytes` on a bound socket (SO_RCVBUF; Linux caps it at
 * `net.core.rmem_max` and reports back twice the value it set, its bookkeeping overhead included).
 * @param bytes 0 keeps the kernel default.
 * @returns the size read back, in bytes.
 */
export function sizeRecvBuffer(socket: dgram.Socket, bytes: number): number {
  if (bytes > 0) {
    try {
      socket.setRecvBufferSize(bytes);
    } catch {
      // The kernel refused the size: the default stays, and the size read back says so.
    }
  }
  return socket.getRecvBufferSize();
}

/** `net.core.rmem_max` in bytes, or `null` where it cannot be read (not Linux). */
function rmemMax(): number | null {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
  } catch {
    return null;
  }
}

/**
 * True when the kernel set less than was asked: on Linux, which reports back twice the size it set, a
 * size read back under twice the request (capped by `net.core.rmem_max`); elsewhere, under the request.
 */
export function udpBufferCapped(size: UdpBufferSize, platform: NodeJS.Platform = process.platform): boolean {
  return size.requested > 0 && size.granted < size.requested * (platform === 'linux' ? 2 : 1);
}

/**
 * The operator's warning when the kernel capped the buffer ({@link udpBufferCapped}), naming the sysctl
 * to raise; `null` when the size was granted or none was asked for.
 */
export function udpBufferWarning(size: UdpBufferSize): string | null {
  if (!udpBufferCapped(size)) return null;
  const max = rmemMax();
  return (
    `--udp-buffer-bytes: the kernel capped each UDP socket's receive buffer at ${size.granted} bytes as ` +
    `read back (asked ${size.requested}${max === null ? '' : `; net.core.rmem_max is ${max}`}): a burst ` +
    `beyond it is dropped; raise the cap with sysctl -w net.core.rmem_max=${size.requested}`
  );
}

/**
 * The receive buffer over several listener sets (one per address family): the size asked for, the
 * smallest granted.
 */
export function udpRecvBuffer(fronts: readonly { udpRecvBuffer: UdpBufferSize }[]): UdpBufferSize {
  const sizes = fronts.map((f) => f.udpRecvBuffer);
  return { requested: sizes[0]?.requested ?? 0, granted: Math.min(...sizes.map((s) => s.granted)) };
}

/**
 * The start-up text: `8388608 bytes per socket as the kernel reports it (asked 4194304)`, `… (kernel
 * default)` when none was asked for, and the sysctl to raise when the kernel capped it.
 */
export function udpBufferText(size: UdpBufferSize): string {
  const asked = size.requested === 0 ? 'kernel default' : `asked ${size.requested}`;
  const capped = udpBufferCapped(size)
    ? `; capped by net.core.rmem_max: sysctl -w net.core.rmem_max=${size.requested}`
    : '';
  return `${size.granted} bytes per socket as the kernel reports it (${asked}${capped})`;
}
