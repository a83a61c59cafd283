/** Starts ice-doctor's bundled TURN server (the built `dist/cli.js serve`) as a bench target. */
import { fileURLToPath } from 'node:url';
import { parseServeLine } from '../../src/report/serve-schema.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { FIRST_LINE, spawnPinned } from './pinned-child.js';
import { allowedCpus } from './proc-stats.js';
import { BENCH_CREDENTIALS, type RunningTarget, type TurnTargetOptions } from './target.js';

/** The built CLI (`npm run build`), the default ice-doctor under test. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** How long the server may take to print its endpoints, in ms. */
const READY_TIMEOUT_MS = 15_000;

/**
 * Starts `node <opts.cli> serve` (normally dist/cli.js) on 127.0.0.1 (port picked by the OS, UDP and TCP, no
 * TLS, no report page) with the bench user, pinned to `opts.cpu`; its log (pino, stderr) goes to a file.
 * @throws Error when it does not come up (its stderr included); ZodError when its `--json` line does not match
 *   src/report/serve-schema.ts.
 */
export async function startIceDoctor(opts: TurnTargetOptions): Promise<RunningTarget> {
  const { username, password } = BENCH_CREDENTIALS;
  const args = [
    ...opts.nodeFlags,
    opts.cli,
    'serve',
    '--listen',
    '127.0.0.1',
    '--port',
    '0',
    '--no-tls',
    '--no-report',
    '--json',
    '--user',
    `${username}:${password}`,
    '--relay-ports',
    `${opts.relayPorts.min}-${opts.relayPorts.max}`,
    '--total-quota',
    String(opts.quota),
    '--user-quota',
    String(opts.quota),
  ];
  const child = await spawnPinned(opts.cpu, process.execPath, () => args, FIRST_LINE, READY_TIMEOUT_MS);
  let server: TransportAddress | undefined;
  try {
    server = parseServeLine(child.ready).turn.udp[0];
  } catch (err) {
    await child.stop();
    throw err;
  }
  if (!server) {
    await child.stop();
    throw new Error(`ice-doctor serve printed no TURN UDP endpoint: ${child.ready}`);
  }
  return {
    name: 'ice-doctor',
    command: `taskset -c ${opts.cpu} node ${args.join(' ').replace(CLI, 'dist/cli.js')}`,
    pid: child.pid,
    cpus: allowedCpus(child.pid),
    turn: { server, credentials: BENCH_CREDENTIALS },
    stop: child.stop,
  };
}
