import { createSocket, type Socket } from 'node:dgram';

/** The port NAT-PMP and PCP servers listen on (RFC 6886 §3.1, RFC 6887 §19.1). */
export const PORT_MAPPING_PORT = 5351;

/**
 * A UDP socket connected to the gateway's port 5351, for NAT-PMP or PCP request/response exchanges.
 * Owned by the caller: {@link GatewaySocket.close} it.
 */
export interface GatewaySocket {
  /** This host's address and port as bound toward the gateway (the kernel's choice). */
  readonly local: { readonly address: string; readonly port: number };
  /** True once the gateway refused a datagram (ICMP port unreachable, ECONNREFUSED): 5351 is not served. */
  readonly refused: boolean;
  /**
   * Sends `request` at once and again after `resendMs`, until `accept` returns a value for a datagram from
   * the gateway or `budgetMs` pass. Resolves with the accepted value and the time to it in ms, or null on
   * silence. Never rejects on network errors: a send error is silence; an ICMP refusal ends the exchange
   * at once with null and sets {@link GatewaySocket.refused}.
   */
  exchange<T>(
    request: Buffer,
    accept: (datagram: Buffer) => T | null,
    budgetMs: number,
  ): Promise<{ value: T; rttMs: number } | null>;
  /** Sends `request` once and resolves when it has left (or failed to); for a best-effort delete. Never rejects. */
  sendOnce(request: Buffer): Promise<void>;
  close(): void;
}

/** The error text of a first request left without answer: refused (ICMP port unreachable) or silent for `waitedMs`. */
export const noAnswer = (refused: boolean, waitedMs: number): string =>
  refused ? 'port refused (ICMP port unreachable): not served' : `no answer within ${waitedMs} ms`;

/**
 * A send callback that passes a send error on as the socket's `error` event. An ICMP port unreachable that
 * arrives between two sends is reported by the kernel to the second `sendmsg` (the pending socket error), not
 * to a read: without this, a refusal would be lost in a send callback and the exchange would wait out its budget.
 */
export const relaySendError =
  (socket: Socket) =>
  (err: Error | null): void => {
    if (err) socket.emit('error', err);
  };

/** Resend interval within one exchange, in ms (RFC 6886 §3.1 starts at 250 ms; a LAN answers in ~1 ms). */
const RESEND_MS = 100;

/**
 * Opens a UDP socket connected to `gateway`:{@link PORT_MAPPING_PORT}.
 * @throws Error when the socket cannot be bound or connected (no route to the gateway).
 */
export async function openGatewaySocket(gateway: string, port = PORT_MAPPING_PORT): Promise<GatewaySocket> {
  const socket = createSocket('udp4');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, gateway, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const { address, port: localPort } = socket.address();
  let refused = false;
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNREFUSED') refused = true;
  });
  return {
    local: { address, port: localPort },
    get refused() {
      return refused;
    },
    exchange: (request, accept, budgetMs) => exchangeOn(socket, request, accept, budgetMs),
    sendOnce: (request) =>
      new Promise((resolve) =>
        socket.send(request, (err) => {
          relaySendError(socket)(err);
          resolve();
        }),
      ),
    close: () => socket.close(),
  };
}

function exchangeOn<T>(
  socket: Socket,
  request: Buffer,
  accept: (datagram: Buffer) => T | null,
  budgetMs: number,
): Promise<{ value: T; rttMs: number } | null> {
  const started = performance.now();
  return new Promise((resolve) => {
    const send = (): void => socket.send(request, relaySendError(socket));
    const resend = setInterval(send, RESEND_MS);
    const finish = (result: { value: T; rttMs: number } | null): void => {
      clearInterval(resend);
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('error', onError);
      resolve(result);
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'ECONNREFUSED') finish(null);
    };
    socket.on('error', onError);
    const onMessage = (datagram: Buffer): void => {
      const value = accept(datagram);
      if (value !== null) finish({ value, rttMs: performance.now() - started });
    };
    const timer = setTimeout(() => finish(null), budgetMs);
    socket.on('message', onMessage);
    send();
  });
}
