/**
 * The echo peer's commands (the worker is echo-peer.ts) and the main thread's typed client. The echo peer has
 * one UDP socket per flow and sends every datagram back where it came from.
 */
import type { TransportAddress } from '../../src/wire/address.js';
import { WorkerRpc } from './worker-rpc.js';

/** Echo peer commands as sent over the worker port. */
export type EchoCommand =
  | { type: 'open'; set: string; flows: number }
  | { type: 'connect'; set: string; remotes: TransportAddress[] }
  | { type: 'close'; set?: string };

/** How long the main thread waits for the echo peer to answer a command, in ms. */
const ANSWER_TIMEOUT_MS = 10_000;

/** The main thread's client of one echo peer worker. */
export class EchoClient {
  private constructor(private readonly rpc: WorkerRpc) {}

  /** Starts an echo peer worker thread. */
  static start(): EchoClient {
    return new EchoClient(WorkerRpc.start(new URL('./echo-peer.ts', import.meta.url)));
  }

  private call(command: EchoCommand): Promise<unknown> {
    return this.rpc.call(command, ANSWER_TIMEOUT_MS);
  }

  /** Opens set `set` of `flows` echo sockets on 127.0.0.1 (closing its old ones) and returns their addresses. */
  async open(set: string, flows: number): Promise<TransportAddress[]> {
    return (await this.call({ type: 'open', set, flows })) as TransportAddress[];
  }

  /**
   * Connects echo socket i of `set` to `remotes[i]` (the relayed address, forwarder socket or generator socket that
   * will send to it), so each echo is sent without naming an address.
   */
  async connect(set: string, remotes: TransportAddress[]): Promise<void> {
    await this.call({ type: 'connect', set, remotes });
  }

  /** Closes the echo sockets of `set`, or of every set. */
  async close(set?: string): Promise<void> {
    await this.call(set === undefined ? { type: 'close' } : { type: 'close', set });
  }

  /** Ends the worker thread. */
  terminate(): Promise<void> {
    return this.rpc.terminate();
  }
}
