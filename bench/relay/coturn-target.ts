/** Starts Debian's coturn (`/usr/bin/turnserver`) as a bench target: one relay thread, pinned to one CPU. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TURNSERVER } from '../../lab/coturn.js';
import { coturnTurnConfig, freePort } from '../../lab/coturn-turn.js';
import { spawnPinned } from './pinned-child.js';
import { allowedCpus } from './proc-stats.js';
import { BENCH_CREDENTIALS, type RunningTarget, type TurnTargetOptions } from './target.js';

/** The realm of the bench's coturn. */
export const COTURN_REALM = 'bench';
/** How long coturn may take to say its servers run, in ms. */
const READY_TIMEOUT_MS = 10_000;

/**
 * coturn lines added to the test configuration (coturn-turn.ts: loopback only, lt-cred-mech, no TLS/DTLS/CLI,
 * log to stdout, which the bench sends to a file): one relay thread (`relay-threads`, coturn 4.6.1: besides
 * the listener and auth threads) and no allocation quotas (0 means unlimited in coturn).
 */
export const COTURN_BENCH_LINES = ['relay-threads=1', 'total-quota=0', 'user-quota=0'];

/**
 * Starts `taskset -c <cpu> turnserver -c <config>` with the bench user on a free loopback port.
 * @throws Error when coturn does not come up (with its log).
 */
export async function startCoturn(opts: TurnTargetOptions): Promise<RunningTarget> {
  const port = await freePort();
  const { username, password } = BENCH_CREDENTIALS;
  const configArgs = (dir: string): string[] => {
    const conf = join(dir, 'turnserver.conf');
    const text = coturnTurnConfig(
      {
        realm: COTURN_REALM,
        users: new Map([[username, password]]),
        allowLoopbackPeers: true,
        extra: COTURN_BENCH_LINES,
      },
      { port, tlsPort: 0, relayPorts: [opts.relayPorts.min, opts.relayPorts.max] },
      dir,
    );
    writeFileSync(conf, text);
    return ['-c', conf];
  };
  const child = await spawnPinned(
    opts.cpu,
    TURNSERVER,
    configArgs,
    /Total General servers/,
    READY_TIMEOUT_MS,
  );
  return {
    name: 'coturn',
    command: `taskset -c ${opts.cpu} ${TURNSERVER} -c <coturnTurnConfig + ${COTURN_BENCH_LINES.join(', ')}>`,
    pid: child.pid,
    cpus: allowedCpus(child.pid),
    turn: { server: { address: '127.0.0.1', port, family: 'IPv4' }, credentials: BENCH_CREDENTIALS },
    stop: child.stop,
  };
}
