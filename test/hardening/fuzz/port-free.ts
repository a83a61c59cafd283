import { createSocket } from 'node:dgram';

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * Resolves `true` once UDP port `port` on 127.0.0.1 can be bound (the server freed the relay socket), or
 * `false` after `timeoutMs`; tries every 50 ms.
 */
export async function portFreed(port: number, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (await bindable(port)) return true;
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
