import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import type { TransportAddress } from '../src/wire/address.js';
import { buildMessage } from '../src/wire/build.js';
import { Attr, ChangeFlag, HEADER_BYTES, StunClass, StunMethod } from '../src/wire/constants.js';
import { decodeMessage, getUint32 } from '../src/wire/message.js';

/** An IPv4 `address:port` pair, as the lab writes it. */
export type Endpoint = Pick<TransportAddress, 'address' | 'port'>;

/**
 * A misbehaving RFC 5780 server: UDP sockets on every `addresses` × `ports` pair and STUN over TCP on the
 * first address and port (RFC 8489 §6.2.2 framing). Every Binding request is answered with
 * XOR-MAPPED-ADDRESS (the sender as seen here), RESPONSE-ORIGIN (the answering socket, truthfully) and
 * OTHER-ADDRESS = `otherAddress`, from the socket it arrived on: the change-IP flag of CHANGE-REQUEST
 * (RFC 5780 §7.2) is always ignored, the change-port flag too unless `honourChangePort`. Two lies come out
 * of this one shape:
 * - "liar": one IP, two ports, `otherAddress` = its own IP with the other port, change-port honoured. This
 *   is what a single-IP server does that advertises OTHER-ADDRESS anyway (RFC 5780 §7.4 forbids it): mapping
 *   test II hits the same address as test I, and a change-IP-and-port reply comes from exactly the
 *   OTHER-ADDRESS it announced, from the IP the client already sent to;
 * - "ignores CHANGE-REQUEST": two IPs, `otherAddress` = the second IP (true), every reply from the address
 *   asked, so mapping tests work and filtering tests II/III are answered from the wrong source.
 */
export interface LiarSpec {
  /** IPv4 addresses to listen on. */
  addresses: readonly string[];
  /** UDP ports to listen on, on each address; the first one also over TCP. */
  ports: readonly number[];
  /** The OTHER-ADDRESS put in every success response. */
  otherAddress: Endpoint;
  /** Answer a change-port request from the same IP's other port (the next one in `ports`). */
  honourChangePort: boolean;
}

/** A running {@link LiarSpec} server; `close()` releases every socket. */
export interface RunningLiar {
  close(): Promise<void>;
}

/** Software name in every response, so a capture tells a lab liar from a real server. */
const SOFTWARE = 'ice-doctor natlab misbehaving STUN server';

/** A Binding request as this server reads it: its transaction ID and whether it asks for another port. */
export interface BindingRequest {
  /** 12 bytes. */
  transactionId: Buffer;
  /** The change-port flag of CHANGE-REQUEST (RFC 5780 §7.2). */
  changePort: boolean;
}

/** Reads a Binding request; null for anything else, which a lab server ignores. */
export function readBindingRequest(bytes: Buffer): BindingRequest | null {
  let msg: ReturnType<typeof decodeMessage>;
  try {
    msg = decodeMessage(bytes);
  } catch {
    return null;
  }
  if (msg.method !== StunMethod.binding || msg.cls !== StunClass.request) return null;
  const change = getUint32(msg, Attr.CHANGE_REQUEST) ?? 0;
  return { transactionId: msg.transactionId, changePort: (change & ChangeFlag.port) !== 0 };
}

/**
 * The Binding success response (RFC 8489 §7.3.1) to transaction `transactionId`.
 * @param seen the requester's transport address as this server saw it (after NAT), in XOR-MAPPED-ADDRESS.
 * @param origin the address the response leaves from, in RESPONSE-ORIGIN (RFC 5780 §7.3).
 * @param other the OTHER-ADDRESS value (RFC 5780 §7.4), true or not.
 */
export function bindingAnswer(
  transactionId: Buffer,
  seen: Endpoint,
  origin: Endpoint,
  other: Endpoint,
): Buffer {
  return buildMessage({
    method: StunMethod.binding,
    cls: StunClass.successResponse,
    transactionId,
    attributes: [
      { type: Attr.XOR_MAPPED_ADDRESS, address: seen },
      { type: Attr.RESPONSE_ORIGIN, address: origin },
      { type: Attr.OTHER_ADDRESS, address: other },
      { type: Attr.SOFTWARE, bytes: SOFTWARE },
    ],
    fingerprint: true,
  });
}

function bindUdp(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind({ address, port, exclusive: true }, () => resolve(socket));
  });
}

/** Answers STUN over one TCP connection: messages are cut from the stream by their header length. */
function serveStream(server: Server, spec: LiarSpec, origin: Endpoint): void {
  server.on('connection', (conn) => {
    let pending = Buffer.alloc(0);
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= HEADER_BYTES) {
        const size = HEADER_BYTES + pending.readUInt16BE(2);
        if (pending.length < size) return;
        const seen = { address: conn.remoteAddress ?? '0.0.0.0', port: conn.remotePort ?? 0 };
        const request = readBindingRequest(pending.subarray(0, size));
        pending = pending.subarray(size);
        if (request) conn.write(bindingAnswer(request.transactionId, seen, origin, spec.otherAddress));
      }
    });
  });
}

/**
 * Starts a {@link LiarSpec} server and resolves once every socket listens.
 * @throws Error when a socket cannot bind (address not configured, port in use).
 */
export async function startLiar(spec: LiarSpec): Promise<RunningLiar> {
  const sockets = new Map<string, Socket>();
  const key = (address: string, port: number): string => `${address}:${port}`;
  for (const address of spec.addresses) {
    for (const port of spec.ports) sockets.set(key(address, port), await bindUdp(address, port));
  }
  for (const address of spec.addresses) {
    for (const port of spec.ports) {
      const otherPort = spec.ports.find((p) => p !== port) ?? port;
      sockets.get(key(address, port))!.on('message', (msg, rinfo) => {
        const request = readBindingRequest(msg);
        if (!request) return;
        const fromPort = request.changePort && spec.honourChangePort ? otherPort : port;
        const origin = { address, port: fromPort };
        const answer = bindingAnswer(request.transactionId, rinfo, origin, spec.otherAddress);
        sockets.get(key(address, fromPort))!.send(answer, rinfo.port, rinfo.address);
      });
    }
  }
  const origin = { address: spec.addresses[0] ?? '0.0.0.0', port: spec.ports[0] ?? 0 };
  const tcp = createServer();
  serveStream(tcp, spec, origin);
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(origin.port, origin.address, resolve);
  });
  return {
    async close() {
      for (const s of sockets.values()) s.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
