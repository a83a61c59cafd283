import { run } from '../../src/lab/exec.js';
import { pidAlive } from '../../src/lab/processes.js';

/** The sandbox's only non-loopback address (RFC 6598 shared space). */
export const SANDBOX_IP = '100.64.90.1';

const NAME_PATTERN = /^ide-(\d+)-\d+$/;
let counter = 0;

/**
 * A network namespace for browser tests on "loopback": `lo` plus a veth pair whose both ends stay inside
 * it, `d0` holding {@link SANDBOX_IP}/24 and `d1` with no address. Chromium ignores loopback interfaces
 * when gathering, so it needs one real-looking interface for host candidates; packets to `d0`'s own
 * address are delivered locally, anything else arrives at the address-less `d1` and is dropped, so
 * nothing can leave the namespace (this kernel has no `dummy` link type). A default route via `d0` is needed: without one
 * Chromium finds no usable network and gathers nothing. `close()` kills what still runs inside (by PID) and deletes it.
 */
export interface Sandbox {
  readonly ns: string;
  close(): Promise<void>;
}

/**
 * Creates a {@link Sandbox}; removes sandboxes left by dead test processes first. With `loopbackOnly`, the
 * namespace has `lo` alone (no `d0`, no default route): a browser there has no usable interface.
 * @throws Error when `ip netns add` fails (not root).
 */
export async function createSandbox(options: { loopbackOnly?: boolean } = {}): Promise<Sandbox> {
  await removeLeftovers();
  const ns = `ide-${process.pid}-${counter++}`;
  await run('ip', ['netns', 'add', ns]);
  try {
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    if (options.loopbackOnly) return { ns, close: () => deleteNamespace(ns) };
    await run('ip', ['-n', ns, 'link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1']);
    await run('ip', ['-n', ns, 'addr', 'add', `${SANDBOX_IP}/24`, 'dev', 'd0']);
    await run('ip', ['-n', ns, 'link', 'set', 'd0', 'up']);
    await run('ip', ['-n', ns, 'link', 'set', 'd1', 'up']);
    await run('ip', ['-n', ns, 'route', 'add', 'default', 'dev', 'd0']);
  } catch (err) {
    await deleteNamespace(ns);
    throw err;
  }
  return { ns, close: () => deleteNamespace(ns) };
}

async function deleteNamespace(ns: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', ns], { check: false });
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await run('ip', ['netns', 'del', ns], { check: false });
}

async function removeLeftovers(): Promise<void> {
  const listed = await run('ip', ['netns', 'list'], { check: false });
  for (const line of listed.stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = NAME_PATTERN.exec(name);
    if (match && !pidAlive(Number(match[1]))) await deleteNamespace(name);
  }
}
