/**
 * What the relay bench measures: the servers under test, each started pinned to the server core, and the
 * generator's own ceiling (generator straight to the echo peer, nothing in between).
 */

import type { TargetName } from '../../lab/relay-bench-results.js';
import type { TurnCredentials } from '../../src/client/turn-check/auth-dance.js';
import type { PortRange } from '../../src/server/turn/relay/ports.js';
import type { TransportAddress } from '../../src/wire/address.js';
import type { ForwardedFlow } from './forwarder.js';

/** The one long-term user every TURN target knows (RFC 8489 §9.2). */
export const BENCH_CREDENTIALS: TurnCredentials = { username: 'bench', password: 'bench' };

/** How a TURN target is reached: its UDP listening address and the bench user. */
export interface TurnEndpoint {
  server: TransportAddress;
  credentials: TurnCredentials;
}

/** What a TURN target is started with. */
export interface TurnTargetOptions {
  /** The CPU the server (every thread of it) is pinned to. */
  cpu: number;
  /** Relay port range; must hold every allocation of the run. */
  relayPorts: PortRange;
  /** Most allocations at once (total and per user). */
  quota: number;
  /** Extra flags for a Node server (e.g. `--cpu-prof`); coturn ignores them. */
  nodeFlags: readonly string[];
  /** ice-doctor's CLI to start (the built dist/cli.js, or another build to compare with); coturn ignores it. */
  cli: string;
}

/** A running server under test. */
export interface RunningTarget {
  name: TargetName;
  /** The command line it was started with (for the results file). */
  command: string;
  pid: number;
  /** The CPUs its threads may run on, read back from /proc once started. */
  cpus: number[];
  /** Set for TURN servers. */
  turn?: TurnEndpoint;
  /** Set for the forwarder: its flows, in the order of the peers it was given. */
  forwarded?: ForwardedFlow[];
  /** Stops it by PID; resolves once it exited. */
  stop(): Promise<void>;
}
