/** Starts Debian's coturn (`/usr/bin/turnserver`) as a bench target: one relay thread, pinned to one CPU. */
import { spawnCoturn } from '../../test/helpers/coturn.js';
import { coturnTurnConfig, freePort } from '../../test/helpers/coturn-turn.js';
import { pinProcess } from './pinned-child.js';
import { allowedCpus } from './proc-stats.js';
import { BENCH_CREDENTIALS, type RunningTarget, type TurnTargetOptions } from './target.js';

/** The realm of the bench's coturn. */
export const COTURN_REALM = 'bench';

/**
 * coturn lines added to the test configuration (coturn-turn.ts: loopback only, lt-cred-mech, no TLS/DTLS/CLI):
 * one relay thread (`relay-threads`, coturn 4.6.1: besides the listener and auth threads) and no allocation
 * quotas (0 means unlimited in coturn).
 */
export const COTURN_BENCH_LINES = ['relay-threads=1', 'total-quota=0', 'user-quota=0'];

/**
 * Starts coturn with the bench user on a free loopback port and pins every one of its threads to
 * `opts.cpu` (`taskset -a -p`; the threads it starts later inherit the pinning).
 * @throws Error when coturn does not come up in 5 s (with its log).
 */
export async function startCoturn(opts: TurnTargetOptions): Promise<RunningTarget> {
  const port = await freePort();
  const { username, password } = BENCH_CREDENTIALS;
  const config = (dir: string): string =>
    coturnTurnConfig(
      {
        realm: COTURN_REALM,
        users: new Map([[username, password]]),
        allowLoopbackPeers: true,
        extra: COTURN_BENCH_LINES,
      },
      { port, tlsPort: 0, relayPorts: [opts.relayPorts.min, opts.relayPorts.max] },
      dir,
    );
  const coturn = await spawnCoturn(config, /Total General servers/);
  try {
    pinProcess(coturn.pid, opts.cpu);
  } catch (err) {
    await coturn.stop();
    throw err;
  }
  return {
    name: 'coturn',
    command: `/usr/bin/turnserver -c <coturnTurnConfig + ${COTURN_BENCH_LINES.join(' ')}>, taskset -a -p -c ${opts.cpu}`,
    pid: coturn.pid,
    cpus: allowedCpus(coturn.pid),
    turn: { server: { address: '127.0.0.1', port, family: 'IPv4' }, credentials: BENCH_CREDENTIALS },
    stop: coturn.stop,
  };
}
