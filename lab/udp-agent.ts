/**
 * Stand-alone script run inside a lab namespace with `node --import tsx lab/udp-agent.ts MODE ...`.
 * It uses raw node sockets only (no ice-doctor code), so it can prove the lab's NAT behaviour by itself.
 *
 * - `reflect`: in pub. Binds UDP on {@link REFLECTOR_PORTS} of both pub addresses and TCP on the first
 *   port of the primary; prints `ready`. A UDP datagram `{"tag","replyFrom":["ip:port",...]}` is answered
 *   from each listed socket with `{"tag","from":"ip:port","seen":"ip:port"}` (`seen` = the sender's address
 *   as pub sees it, i.e. after NAT). A TCP connection gets `seen` and is closed.
 * - `observe`: in lan. Runs the mapping, filtering, TCP and guard checks and prints one
 *   {@link NatObservation} JSON line.
 * - `stun-ping IP PORT`: sends RFC 8489 Binding requests (every 200 ms, for at most 5 s); exit 0 on the
 *   first Binding success response, 1 otherwise. Used to wait for STUN servers to be ready.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { ADDR } from '../src/lab/topology.js';
import type { NatObservation } from './nat-behaviour.js';
import { REFLECTOR_PORTS } from './nat-behaviour.js';

const REPLY_WAIT_MS = 500;
const GUARD_PROBE = { address: '198.51.100.53', port: 53 };

type Endpoint = `${string}:${number}`;

const endpoint = (address: string, port: number): Endpoint => `${address}:${port}`;

function bind(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind({ address, port, exclusive: true }, () => resolve(socket));
  });
}

async function reflect(): Promise<void> {
  const sockets = new Map<Endpoint, Socket>();
  for (const address of [ADDR.pubPrimary, ADDR.pubSecondary]) {
    for (const port of REFLECTOR_PORTS) sockets.set(endpoint(address, port), await bind(address, port));
  }
  for (const [self, socket] of sockets) {
    socket.on('message', (msg, rinfo) => {
      let request: { tag?: unknown; replyFrom?: unknown };
      try {
        request = JSON.parse(msg.toString()) as typeof request;
      } catch {
        return;
      }
      const seen = endpoint(rinfo.address, rinfo.port);
      const replyFrom = Array.isArray(request.replyFrom) ? request.replyFrom : [self];
      for (const from of replyFrom) {
        const out = sockets.get(from as Endpoint);
        out?.send(JSON.stringify({ tag: request.tag, from, seen }), rinfo.port, rinfo.address);
      }
    });
  }
  const tcp = createServer((conn) => conn.end(endpoint(conn.remoteAddress ?? '?', conn.remotePort ?? 0)));
  await new Promise<void>((resolve) => tcp.listen(REFLECTOR_PORTS[0], ADDR.pubPrimary, resolve));
  process.stdout.write('ready\n');
}

/** Sends `{tag, replyFrom}` to each destination and collects replies for {@link REPLY_WAIT_MS}. */
async function exchange(
  socket: Socket,
  tag: string,
  sends: { to: Endpoint; replyFrom: Endpoint[] }[],
): Promise<{ from: string; seen: string }[]> {
  const replies: { from: string; seen: string }[] = [];
  const onMessage = (msg: Buffer): void => {
    try {
      const reply = JSON.parse(msg.toString()) as { tag?: unknown; from?: unknown; seen?: unknown };
      if (reply.tag === tag) replies.push({ from: String(reply.from), seen: String(reply.seen) });
    } catch {
      // not ours
    }
  };
  socket.on('message', onMessage);
  for (const { to, replyFrom } of sends) {
    const [address, port] = to.split(':') as [string, string];
    socket.send(JSON.stringify({ tag, replyFrom }), Number(port), address);
  }
  await new Promise((resolve) => setTimeout(resolve, REPLY_WAIT_MS));
  socket.off('message', onMessage);
  return replies;
}

async function observe(): Promise<void> {
  const [p0, p1] = REFLECTOR_PORTS;
  const primary = endpoint(ADDR.pubPrimary, p0);
  const mappingTargets = [primary, endpoint(ADDR.pubPrimary, p1), endpoint(ADDR.pubSecondary, p0)];

  const mappingSocket = await bind('0.0.0.0', 0);
  const mappingReplies = await exchange(
    mappingSocket,
    'mapping',
    mappingTargets.map((to) => ({ to, replyFrom: [to] })),
  );
  const mapped: Record<string, string | null> = {};
  for (const to of mappingTargets) mapped[to] = mappingReplies.find((r) => r.from === to)?.seen ?? null;

  const filteringSocket = await bind('0.0.0.0', 0);
  const sources = {
    sameEndpoint: primary,
    otherPort: endpoint(ADDR.pubPrimary, p1),
    otherAddress: endpoint(ADDR.pubSecondary, p0),
    otherAddressAndPort: endpoint(ADDR.pubSecondary, p1),
  };
  const filteringReplies = await exchange(filteringSocket, 'filtering', [
    { to: primary, replyFrom: Object.values(sources) },
  ]);
  const reached = (from: Endpoint): boolean => filteringReplies.some((r) => r.from === from);

  const observation: NatObservation = {
    mappingLocalPort: mappingSocket.address().port,
    mapped,
    filtering: {
      sameEndpoint: reached(sources.sameEndpoint),
      otherPort: reached(sources.otherPort),
      otherAddress: reached(sources.otherAddress),
      otherAddressAndPort: reached(sources.otherAddressAndPort),
    },
    tcpSeen: await tcpSeen(ADDR.pubPrimary, p0),
    guardBlocked: await guardBlocks(filteringSocket),
  };
  mappingSocket.close();
  filteringSocket.close();
  process.stdout.write(`${JSON.stringify(observation)}\n`);
}

function tcpSeen(address: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    let data = '';
    const conn = connect({ host: address, port, timeout: 2000 });
    conn.on('data', (chunk) => {
      data += chunk.toString();
    });
    conn.on('end', () => resolve(data || null));
    conn.on('timeout', () => conn.destroy());
    conn.on('error', () => resolve(null));
    conn.on('close', () => resolve(data || null));
  });
}

/** True when a UDP send to an address outside the allowed ranges fails locally (lan egress guard). */
function guardBlocks(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    socket.send('guard', GUARD_PROBE.port, GUARD_PROBE.address, (err) =>
      resolve(err !== null && err !== undefined),
    );
  });
}

async function stunPing(address: string, port: number): Promise<void> {
  const socket = await bind('0.0.0.0', 0);
  const request = Buffer.alloc(20);
  request.writeUInt16BE(0x0001, 0); // Binding request, length 0
  request.writeUInt32BE(0x2112a442, 4); // magic cookie
  randomBytes(12).copy(request, 8);
  const ok = await new Promise<boolean>((resolve) => {
    const finish = (value: boolean): void => {
      clearInterval(timer);
      clearTimeout(deadline);
      resolve(value);
    };
    const timer = setInterval(() => socket.send(request, port, address), 200);
    const deadline = setTimeout(() => finish(false), 5000);
    socket.on('message', (msg) => {
      const isSuccess = msg.length >= 20 && msg.readUInt16BE(0) === 0x0101;
      if (isSuccess && msg.subarray(8, 20).equals(request.subarray(8, 20))) finish(true);
    });
    socket.send(request, port, address);
  });
  socket.close();
  process.exitCode = ok ? 0 : 1;
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'reflect') await reflect();
else if (mode === 'observe') await observe();
else if (mode === 'stun-ping') await stunPing(rest[0] ?? '', Number(rest[1]));
else {
  process.stderr.write('usage: udp-agent.ts reflect | observe | stun-ping IP PORT\n');
  process.exitCode = 2;
}
