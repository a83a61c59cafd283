import type { Socket } from 'node:dgram';
import type { Family, TransportAddress } from '../../wire/address.js';
import { StunClass } from '../../wire/constants.js';
import { decodeMessage, looksLikeStun } from '../../wire/message.js';
import { bindingRequest, mappedAddressOf } from '../nat-probe/requests.js';
import type { RttEstimator } from '../transport/rtt.js';
import { sendUntil } from '../transport/transaction.js';
import { bindWildcard } from '../transport/udp-client.js';

/**
 * The "outside peer" of the reach check: a plain UDP socket of ice-doctor, not a TURN allocation, so what it
 * sends to a relayed address enters the relay port from outside the TURN host, the way a remote caller's
 * packets do. It learns its own server-reflexive address with a Binding request (RFC 8489 §6.2.1), sends
 * datagrams to relayed addresses and hands up what arrives that is not STUN.
 */
export class OutsidePeer {
  private readonly listeners = new Set<(data: Buffer) => void>();
  private readonly stunListeners = new Set<(data: Buffer) => void>();
  /** The first local send error (`ENETUNREACH` …): the datagram never left this host. */
  sendError: string | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('message', (data) => {
      for (const l of looksLikeStun(data) ? this.stunListeners : this.listeners) l(data);
    });
    socket.on('error', (err) => {
      this.sendError ??= err.message;
    });
  }

  /**
   * Binds a UDP socket of `family` on the wildcard address, port chosen by the OS.
   * @throws Error when it cannot be bound (no IPv6 on the host, for instance).
   */
  static async open(family: Family): Promise<OutsidePeer> {
    return new OutsidePeer(await bindWildcard(family));
  }

  /**
   * This socket's server-reflexive address: the XOR-MAPPED-ADDRESS (else MAPPED-ADDRESS) of a Binding
   * response from `server`, retransmitted on the RFC 8489 §6.2.1 schedule with the path's RTO until
   * `signal` ends it. Null without an answer (a `turns:` port, for one, need not answer STUN over UDP).
   */
  async reflexive(
    server: TransportAddress,
    rtt: RttEstimator,
    signal: AbortSignal,
  ): Promise<TransportAddress | null> {
    const req = bindingRequest();
    const r = await sendUntil<TransportAddress | null>({
      send: () => this.send(req.bytes, server),
      listen: (done) => {
        const onStun = (data: Buffer): void => {
          try {
            const msg = decodeMessage(data);
            if (msg.cls === StunClass.successResponse && msg.transactionId.equals(req.transactionId))
              done(mappedAddressOf(msg));
          } catch {
            // not a well-formed answer: keep waiting
          }
        };
        this.stunListeners.add(onStun);
        return () => this.stunListeners.delete(onStun);
      },
      reliable: false,
      rtt,
      signal,
    });
    return r.value;
  }

  /** Sends one datagram to `to`; a local failure is kept in {@link sendError}. */
  send(bytes: Buffer, to: TransportAddress): void {
    this.socket.send(bytes, to.port, to.address, (err) => {
      if (err) this.sendError ??= err.message;
    });
  }

  /** Registers a listener for datagrams that are not STUN; returns a function that removes it. */
  onData(listener: (data: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
  }
}
