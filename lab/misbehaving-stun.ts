/**
 * STUN servers that behave the way real public servers do when they go wrong, for probe tests on loopback
 * and in the NAT lab. Each start function binds on the address it is given (any local IPv4 address: a
 * loopback one, or a lab namespace's "public" address) and an OS-chosen port, and returns a
 * {@link MisbehavingServer}.
 *
 * - `startSilentServer(bind)`: a black hole. A UDP socket that reads every datagram and never answers, and
 *   a TCP listener on the same port that accepts connections and never writes (no ICMP, no RST: what a
 *   dead or firewalled server looks like from outside).
 * - `startLiarServer(bind)`: answers Binding over UDP with XOR-MAPPED-ADDRESS and an OTHER-ADDRESS carrying
 *   its OWN IP (port + 1), which RFC 5780 §7.4 forbids a server with one IP to send. It honours
 *   CHANGE-REQUEST's change-port (answers from its second socket at port + 1) and ignores change-IP:
 *   the server that made naive probes read a symmetric NAT as endpoint-independent mapping.
 * - `startChangeIgnoringServer(bind, otherIp)`: answers Binding with OTHER-ADDRESS `otherIp`:port + 1
 *   (a different IP, so it passes §7.4), but always from the socket it was asked on, whatever
 *   CHANGE-REQUEST asks, and never answers at the OTHER-ADDRESS: old servers that make tools say
 *   "full cone".
 * - `startChangeDroppingServer(bind, otherIp)`: a genuine second address: answers plain Binding on
 *   `bind`:P, `bind`:P + 1, `otherIp`:P and `otherIp`:P + 1, each from the socket asked, with OTHER-ADDRESS
 *   `otherIp`:P + 1, and silently drops every request whose CHANGE-REQUEST has a flag set: the server that
 *   makes silent filtering tests II/III read as a filtering NAT.
 *
 * Every server answers only Binding requests; anything undecodable is dropped. `close()` frees all its
 * sockets. IPv4 only.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { iceUrlText } from '../src/shared/ice-url.js';
import { type TransportAddress, transportAddress } from '../src/wire/address.js';
import { buildMessage } from '../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../src/wire/constants.js';
import { decodeMessage, type StunMessage } from '../src/wire/message.js';

/** A running misbehaving server. */
export interface MisbehavingServer {
  /** The address to ask at (A1:P1). */
  address: TransportAddress;
  /** `stun:ip:port` of {@link address}. */
  url: string;
  /** Closes every socket and connection of the server. */
  close(): Promise<void>;
}

function bindUdp(bind: string, port: number): Promise<Socket> {
  const s = createSocket('udp4');
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, bind, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

const closeUdp = (s: Socket): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

function decodeBinding(bytes: Buffer): StunMessage | null {
  try {
    const msg = decodeMessage(bytes);
    return msg.method === StunMethod.binding && msg.cls === StunClass.request ? msg : null;
  } catch {
    return null;
  }
}

/** CHANGE-REQUEST flags of a request (RFC 5780 §7.2): bit 0x4 change IP, 0x2 change port. */
function changeFlags(msg: StunMessage): { ip: boolean; port: boolean } {
  const value = msg.attributes.find((a) => a.type === Attr.CHANGE_REQUEST)?.value;
  const flags = value && value.length >= 4 ? value.readUInt32BE(0) : 0;
  return { ip: (flags & 0x4) !== 0, port: (flags & 0x2) !== 0 };
}

function bindingSuccess(req: StunMessage, rinfo: RemoteInfo, other: TransportAddress): Buffer {
  return buildMessage({
    method: StunMethod.binding,
    cls: StunClass.successResponse,
    transactionId: req.transactionId,
    attributes: [
      { type: Attr.XOR_MAPPED_ADDRESS, address: { address: rinfo.address, port: rinfo.port } },
      { type: Attr.OTHER_ADDRESS, address: { address: other.address, port: other.port } },
    ],
  });
}

/** Binds a UDP socket at `bind`:0 and its twin at port + 1 (retried when that port is taken). */
async function bindPair(bind: string): Promise<[Socket, Socket]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const a = await bindUdp(bind, 0);
    try {
      return [a, await bindUdp(bind, a.address().port + 1)];
    } catch {
      await closeUdp(a);
    }
  }
  throw new Error(`cannot bind two adjacent UDP ports on ${bind}`);
}

function running(sockets: Socket[], extra: () => Promise<void> = async () => undefined): MisbehavingServer {
  const a = sockets[0]!.address();
  const address = transportAddress(a.address, a.port);
  return {
    address,
    url: iceUrlText('stun', a.address, a.port),
    close: async () => {
      await Promise.all([...sockets.map(closeUdp), extra()]);
    },
  };
}

/** See the module comment: reads UDP and accepts TCP at `bind`, never answers either. */
export async function startSilentServer(bind: string): Promise<MisbehavingServer> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = await bindUdp(bind, 0);
    udp.on('message', () => undefined);
    const conns = new Set<TcpSocket>();
    const tcp: Server = createServer((c) => {
      conns.add(c);
      c.on('error', () => undefined);
      c.on('close', () => conns.delete(c));
    });
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(udp.address().port, bind, () => resolve(true));
    });
    if (!listening) {
      await closeUdp(udp);
      continue;
    }
    return running([udp], async () => {
      for (const c of conns) c.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    });
  }
  throw new Error(`cannot bind UDP and TCP on the same port on ${bind}`);
}

/** See the module comment: OTHER-ADDRESS with its own IP, change-port honoured, change-IP ignored. */
export async function startLiarServer(bind: string): Promise<MisbehavingServer> {
  const [primary, second] = await bindPair(bind);
  const other = transportAddress(bind, second.address().port);
  primary.on('message', (bytes, rinfo) => {
    const req = decodeBinding(bytes);
    if (!req) return;
    const from = changeFlags(req).port ? second : primary;
    from.send(bindingSuccess(req, rinfo, other), rinfo.port, rinfo.address);
  });
  second.on('message', (bytes, rinfo) => {
    const req = decodeBinding(bytes);
    if (req) second.send(bindingSuccess(req, rinfo, other), rinfo.port, rinfo.address);
  });
  return running([primary, second]);
}

/** See the module comment: OTHER-ADDRESS `otherIp`:port + 1, every reply from the socket asked. */
export async function startChangeIgnoringServer(bind: string, otherIp: string): Promise<MisbehavingServer> {
  const s = await bindUdp(bind, 0);
  const other = transportAddress(otherIp, s.address().port + 1);
  s.on('message', (bytes, rinfo) => {
    const req = decodeBinding(bytes);
    if (req) s.send(bindingSuccess(req, rinfo, other), rinfo.port, rinfo.address);
  });
  return running([s]);
}

/** Binds `bind`:P and `bind`:P + 1, then `otherIp` on the same two ports (retried when one is taken). */
async function bindQuad(bind: string, otherIp: string): Promise<Socket[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = await bindPair(bind);
    const port = pair[0].address().port;
    const a2 = await bindUdp(otherIp, port).catch(() => null);
    const b2 = a2 ? await bindUdp(otherIp, port + 1).catch(() => null) : null;
    if (a2 && b2) return [...pair, a2, b2];
    await Promise.all([...pair, ...(a2 ? [a2] : [])].map(closeUdp));
  }
  throw new Error(`cannot bind ports P and P + 1 on both ${bind} and ${otherIp}`);
}

/** See the module comment: four addresses answering plain Binding, every CHANGE-REQUEST with a flag dropped. */
export async function startChangeDroppingServer(bind: string, otherIp: string): Promise<MisbehavingServer> {
  const sockets = await bindQuad(bind, otherIp);
  const other = transportAddress(otherIp, sockets[0]!.address().port + 1);
  for (const s of sockets) {
    s.on('message', (bytes, rinfo) => {
      const req = decodeBinding(bytes);
      if (!req) return;
      const change = changeFlags(req);
      if (change.ip || change.port) return;
      s.send(bindingSuccess(req, rinfo, other), rinfo.port, rinfo.address);
    });
  }
  return running(sockets);
}
