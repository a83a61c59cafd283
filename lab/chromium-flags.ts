/** Debian's Chromium (package `chromium`); Playwright never downloads a browser here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The flags every headless Chromium of the tests and benchmarks starts with: no sandbox (it runs as root, in
 * namespaces), no GPU, and nothing that reaches the network on its own (first-run pages, background
 * networking, component updates, sync, QUIC probes) — the machine's rule that only loopback and the lab's
 * namespaces see traffic.
 */
export const QUIET_CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
