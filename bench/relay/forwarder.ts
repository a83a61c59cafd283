/**
 * The plain UDP forwarder: the floor of what a relay written in JavaScript on Node's dgram can do. Per flow a
 * front socket (the client sends to it) and a back socket (it sends to the flow's peer); a datagram on one is
 * sent from the other, as is: no STUN, no parsing, no table lookup, no per-datagram object of its own. Like a
 * TURN relay (whose sockets talk to many addresses) it sends unconnected, naming the address.
 *
 * Run as its own process (the bench pins it to one core):
 *   node --import tsx bench/relay/forwarder.ts --peers 127.0.0.1:PORT,... [--max-ms N]
 * prints one JSON line `{"flows":[{"front":ADDR,"back":ADDR},...]}` once listening, and exits on SIGTERM or
 * after `--max-ms` (default 600000), whichever comes first.
 */
import dgram from 'node:dgram';
import type { TransportAddress } from '../../src/wire/address.js';

/** The longest a forwarder runs unless told otherwise, in ms. */
export const FORWARDER_MAX_MS = 600_000;

/** One forwarded flow: where its client sends, and the socket its peer sees. */
export interface ForwardedFlow {
  front: TransportAddress;
  back: TransportAddress;
}

function parsePeers(text: string): TransportAddress[] {
  return text.split(',').map((p) => {
    const i = p.lastIndexOf(':');
    return { address: p.slice(0, i), port: Number(p.slice(i + 1)), family: 'IPv4' };
  });
}

async function bound(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

function addressOf(socket: dgram.Socket): TransportAddress {
  return { address: '127.0.0.1', port: socket.address().port, family: 'IPv4' };
}

/** Binds the two sockets of one flow and forwards between its client (learnt from each datagram) and `peer`. */
async function forward(peer: TransportAddress): Promise<{ flow: ForwardedFlow; sockets: dgram.Socket[] }> {
  const front = await bound();
  const back = await bound();
  let clientPort = 0;
  let clientAddress = '';
  front.on('message', (bytes, rinfo) => {
    clientPort = rinfo.port;
    clientAddress = rinfo.address;
    back.send(bytes, peer.port, peer.address);
  });
  back.on('message', (bytes) => {
    if (clientPort !== 0) front.send(bytes, clientPort, clientAddress);
  });
  return { flow: { front: addressOf(front), back: addressOf(back) }, sockets: [front, back] };
}

async function main(argv: readonly string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const peers = parsePeers(arg('--peers') ?? '');
  const maxMs = Number(arg('--max-ms') ?? FORWARDER_MAX_MS);
  const forwarded: { flow: ForwardedFlow; sockets: dgram.Socket[] }[] = [];
  for (const peer of peers) forwarded.push(await forward(peer));
  const stop = (): void => {
    for (const { sockets } of forwarded) for (const s of sockets) s.close();
    clearTimeout(deadline);
  };
  const deadline = setTimeout(stop, maxMs);
  process.once('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify({ flows: forwarded.map((f) => f.flow) })}\n`);
}

await main(process.argv.slice(2));
