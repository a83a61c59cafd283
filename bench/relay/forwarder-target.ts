/** Starts the plain UDP forwarder (forwarder.ts) as a bench target, pinned to one CPU. */
import { fileURLToPath } from 'node:url';
import type { TransportAddress } from '../../src/wire/address.js';
import type { ForwardedFlow } from './forwarder.js';
import { FIRST_LINE, spawnPinned } from './pinned-child.js';
import { allowedCpus } from './proc-stats.js';
import type { RunningTarget } from './target.js';

const FORWARDER = fileURLToPath(new URL('./forwarder.ts', import.meta.url));

/** How long the forwarder may take to print its flows, in ms. */
const READY_TIMEOUT_MS = 15_000;

/**
 * Starts the forwarder with one flow per peer, pinned to `cpu`, with extra Node flags (e.g. `--cpu-prof`);
 * it stops by itself after `maxMs`.
 * @throws Error when it does not come up (its stderr included).
 */
export async function startForwarder(
  cpu: number,
  peers: readonly TransportAddress[],
  maxMs: number,
  nodeFlags: readonly string[] = [],
): Promise<RunningTarget> {
  const args = [
    ...nodeFlags,
    '--import',
    import.meta.resolve('tsx'),
    FORWARDER,
    '--peers',
    peers.map((p) => `${p.address}:${p.port}`).join(','),
    '--max-ms',
    String(maxMs),
  ];
  const child = await spawnPinned(cpu, process.execPath, () => args, FIRST_LINE, READY_TIMEOUT_MS);
  const { flows } = JSON.parse(child.ready) as { flows: ForwardedFlow[] };
  return {
    name: 'forwarder',
    command: `taskset -c ${cpu} node --import tsx bench/relay/forwarder.ts --peers <echo sockets> --max-ms ${maxMs}`,
    pid: child.pid,
    cpus: allowedCpus(child.pid),
    forwarded: flows,
    stop: child.stop,
  };
}
