import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { type TransportAddress, transportAddress } from '../../wire/address.js';
import { StunClass } from '../../wire/constants.js';
import { decodeMessage, type StunMessage } from '../../wire/message.js';
import type { RttEstimator } from './rtt.js';
import { PROBE_POLICY, type RetransmitPolicy, sendUntil, type TransactionResult } from './transaction.js';

/**
 * A fresh UDP socket of `family` bound on the wildcard address, port chosen by the OS.
 * @throws Error when it cannot be bound (no IPv6 on the host, for instance).
 */
export async function bindWildcard(family: 'IPv4' | 'IPv6'): Promise<Socket> {
  const socket = createSocket({ type: family === 'IPv6' ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

interface Pending {
  finish: (response: StunMessage, source: TransportAddress) => void;
}

/** A request that arrived at this socket (used by the hairpinning test, RFC 5780 §4.5). */
export type IncomingRequestListener = (request: StunMessage, source: TransportAddress) => void;

/**
 * One UDP socket that runs STUN client transactions (RFC 8489 §6.2.1): retransmits with a doubling RTO
 * read live from a shared {@link RttEstimator}, matches responses by transaction ID, and reports the
 * datagram's source. Each NAT test owns one of these, so tests never share NAT state.
 */
export class StunUdpClient {
  private readonly pending = new Map<string, Pending>();
  private incoming: IncomingRequestListener | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly rtt: RttEstimator,
    private readonly signal: AbortSignal,
  ) {
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    socket.on('error', () => undefined);
  }

  /**
   * Binds a fresh socket on the wildcard address of `family`, port chosen by the OS.
   * @param signal the probe's deadline: pending transactions end with failure `'aborted'`.
   * @throws Error when the socket cannot be bound (no IPv6 on the host, for instance).
   */
  static async open(family: 'IPv4' | 'IPv6', rtt: RttEstimator, signal: AbortSignal): Promise<StunUdpClient> {
    return new StunUdpClient(await bindWildcard(family), rtt, signal);
  }

  /** The local port this socket is bound to. */
  get localPort(): number {
    return this.socket.address().port;
  }

  /** Registers the listener for STUN requests that arrive at this socket. */
  onIncomingRequest(listener: IncomingRequestListener): void {
    this.incoming = listener;
  }

  /** Sends one datagram without waiting for anything (for the hairpinning test). */
  sendRaw(bytes: Buffer, to: TransportAddress): void {
    this.socket.send(bytes, to.port, to.address);
  }

  /**
   * Runs one transaction: sends `request` to `to`, retransmits per `policy` with the estimator's current
   * RTO ({@link sendUntil}), and resolves with the first response carrying `transactionId` (whatever its source: the caller
   * judges the source). Never rejects.
   */
  transact(
    request: Buffer,
    transactionId: Buffer,
    to: TransportAddress,
    policy: RetransmitPolicy = PROBE_POLICY,
  ): Promise<TransactionResult> {
    const key = transactionId.toString('hex');
    let sendFailed = (_reason: string): void => undefined;
    return sendUntil<{ response: StunMessage; source: TransportAddress }>({
      send: () =>
        this.socket.send(request, to.port, to.address, (err) => {
          if (err) sendFailed(err.message);
        }),
      listen: (done, fail) => {
        sendFailed = fail;
        this.pending.set(key, { finish: (response, source) => done({ response, source }) });
        return () => this.pending.delete(key);
      },
      reliable: false,
      rtt: this.rtt,
      signal: this.signal,
      policy,
    }).then((r) => ({
      requestsSent: r.sent,
      response: r.value?.response ?? null,
      source: r.value?.source ?? null,
      rttMs: r.sinceLastSendMs,
      elapsedMs: r.elapsedMs,
      failure: r.failure,
    }));
  }

  /**
   * Watches for a response with `transactionId` that another socket requested (RESPONSE-PORT, RFC 5780
   * §4.6). `heard()` tells whether it arrived; `cancel()` stops watching.
   */
  expect(transactionId: Buffer): { heard: () => boolean; cancel: () => void } {
    const key = transactionId.toString('hex');
    let heard = false;
    this.pending.set(key, {
      finish: () => {
        heard = true;
        this.pending.delete(key);
      },
    });
    return { heard: () => heard, cancel: () => this.pending.delete(key) };
  }

  private onMessage(bytes: Buffer, rinfo: RemoteInfo): void {
    let msg: StunMessage;
    try {
      msg = decodeMessage(bytes);
    } catch {
      return;
    }
    const source = transportAddress(rinfo.address, rinfo.port);
    if (msg.cls === StunClass.request) {
      this.incoming?.(msg, source);
      return;
    }
    this.pending.get(msg.transactionId.toString('hex'))?.finish(msg, source);
  }

  /** Closes the socket; pending transactions end as aborted only through the signal. */
  close(): void {
    this.socket.close();
  }
}
