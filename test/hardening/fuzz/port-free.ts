import { udpBindable } from '../../support/udp-port.js';

/**
 * Resolves `true` once UDP port `port` on 127.0.0.1 can be bound (the server freed the relay socket), or
 * `false` after `timeoutMs`; tries every 50 ms.
 */
export async function portFreed(port: number, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (await udpBindable(port)) return true;
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
