/**
 * The echo peer's commands (the worker is echo-peer.ts) and the main thread's typed client. The echo peer has
 * one UDP socket per flow and sends every datagram back where it came from.
 */
import type { TransportAddress } from '../../src/stun/address.js';
import { WorkerRpc } from './worker-rpc.js';

/** Echo peer commands as sent over the worker port. */
export type EchoCommand =
  | { type: 'open'; flows: number }
  | { type: 'connect'; remotes: TransportAddress[] }
  | { type: 'count' }
  | { type: 'close' };

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

  /** Opens `flows` echo sockets on 127.0.0.1 (closing those still open) and returns their addresses. */
  async open(flows: number): Promise<TransportAddress[]> {
    return (await this.call({ type: 'open', flows })) as TransportAddress[];
  }

  /**
   * Connects echo socket i to `remotes[i]` (the relayed address, forwarder socket or generator socket that
   * will send to it), so each echo is sent without naming an address.
   */
  async connect(remotes: TransportAddress[]): Promise<void> {
    await this.call({ type: 'connect', remotes });
  }

  /** Datagrams echoed since the sockets were opened. */
  async count(): Promise<number> {
    return (await this.call({ type: 'count' })) as number;
  }

  /** Closes the echo sockets. */
  async close(): Promise<void> {
    await this.call({ type: 'close' });
  }

  /** Ends the worker thread. */
  terminate(): Promise<void> {
    return this.rpc.terminate();
  }
}
