/**
 * The load generator's commands and answers (the worker is generator.ts), and the main thread's typed client.
 * A generator owns named sets of flows (one set per target, so targets can be measured in turns), each flow
 * one UDP socket connected to where its datagrams go, and drives one load at a time on one set: start → mark
 * (window opens) → mark (window closes) → stop.
 */

import type { TurnCredentials } from '../../src/client/turn-check/auth-dance.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { WorkerRpc } from './worker-rpc.js';

/**
 * Where the flows send. `direct`: flow i is connected to `destinations[i]` (an echo socket, a forwarder's
 * front socket, a STUN server). `turn`: flow i allocates on `server`, binds channel 0x4000 to `peers[i]`
 * (RFC 8656 §12) and is then connected to `server`.
 */
export type FlowPlan =
  | { kind: 'direct'; destinations: TransportAddress[] }
  | { kind: 'turn'; server: TransportAddress; credentials: TurnCredentials; peers: TransportAddress[] };

/** The flows once open: their local addresses, and for `turn` their XOR-RELAYED-ADDRESSes (else empty). */
export interface OpenFlows {
  local: TransportAddress[];
  relayed: TransportAddress[];
}

/**
 * One load. `saturate`: every flow keeps `windowPerFlow` datagrams in flight and sends one more per one back
 * (a closed loop that saturates the slowest stage); `packet` is ChannelData with `payloadBytes` of payload on
 * channel 0x4000, or a 20-byte STUN Binding request with a fresh transaction ID per send. A flow that gets
 * nothing back for a stall check period has its window refilled (the lost datagrams are counted).
 * `paced`: `ratePerS` ChannelData datagrams per second over all flows, each stamped with its send time, for
 * latency (samples are kept between the two marks).
 */
export type Load =
  | { kind: 'saturate'; packet: 'channel-data' | 'binding'; payloadBytes: number; windowPerFlow: number }
  | { kind: 'paced'; payloadBytes: number; ratePerS: number };

/** Counters at a mark: the generator's clock (ms, `performance.now()`) and datagrams sent and received. */
export interface Mark {
  atMs: number;
  sent: number;
  received: number;
}

/** Round-trip times between the two marks of a paced load, in ms. */
export interface LatencySummary {
  samples: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/**
 * What a load did, from start to stop plus a drain period: datagrams sent and received, `lost` = sent −
 * received after the drain, `stalls` = window refills, `errors` = socket errors and refused sends.
 */
export interface LoadTotals {
  sent: number;
  received: number;
  lost: number;
  stalls: number;
  errors: number;
  latency: LatencySummary | null;
}

/** Generator commands as sent over the worker port. */
export type GeneratorCommand =
  | { type: 'open'; set: string; plan: FlowPlan }
  | { type: 'start'; set: string; load: Load }
  | { type: 'mark' }
  | { type: 'stop'; drainMs: number }
  | { type: 'close'; set?: string };

/** How long the main thread waits for the generator to answer a command, in ms (setup of many flows included). */
const ANSWER_TIMEOUT_MS = 30_000;

/** The main thread's client of one generator worker. */
export class GeneratorClient {
  private constructor(private readonly rpc: WorkerRpc) {}

  /** Starts a generator worker thread. */
  static start(): GeneratorClient {
    return new GeneratorClient(WorkerRpc.start(new URL('./generator.ts', import.meta.url)));
  }

  private call(command: GeneratorCommand): Promise<unknown> {
    return this.rpc.call(command, ANSWER_TIMEOUT_MS);
  }

  /** Opens (and for TURN, sets up) set `set`: one flow per destination or peer; closes its old flows first. */
  async open(set: string, plan: FlowPlan): Promise<OpenFlows> {
    return (await this.call({ type: 'open', set, plan })) as OpenFlows;
  }

  /** Starts a load on the flows of `set`. */
  async start(set: string, load: Load): Promise<void> {
    await this.call({ type: 'start', set, load });
  }

  /** Reads the counters now (the first mark of a paced load starts latency sampling, the second ends it). */
  async mark(): Promise<Mark> {
    return (await this.call({ type: 'mark' })) as Mark;
  }

  /** Stops sending, waits `drainMs` for stragglers, and reports the load's totals. */
  async stop(drainMs: number): Promise<LoadTotals> {
    return (await this.call({ type: 'stop', drainMs })) as LoadTotals;
  }

  /** Closes the sockets of `set`'s flows, or of every set. */
  async close(set?: string): Promise<void> {
    await this.call(set === undefined ? { type: 'close' } : { type: 'close', set });
  }

  /** Ends the worker thread. */
  terminate(): Promise<void> {
    return this.rpc.terminate();
  }
}
