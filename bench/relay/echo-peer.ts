/**
 * The relay bench's UDP echo peer (a worker thread; commands in echo-api.ts): one socket per flow on
 * 127.0.0.1, each datagram sent back to its sender. Once connected to its flow's one sender, a socket echoes
 * without naming an address (no lookup per datagram).
 */
import dgram from 'node:dgram';
import type { TransportAddress } from '../../src/stun/address.js';
import type { EchoCommand } from './echo-api.js';
import { serveRpc } from './worker-rpc.js';

let sockets: dgram.Socket[] = [];
let echoed = 0;

async function openOne(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined);
  socket.on('message', (bytes, rinfo) => {
    echoed++;
    socket.send(bytes, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

async function close(): Promise<void> {
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  sockets = [];
}

async function open(flows: number): Promise<TransportAddress[]> {
  await close();
  echoed = 0;
  for (let i = 0; i < flows; i++) sockets.push(await openOne());
  return sockets.map((s) => ({ address: '127.0.0.1', port: s.address().port, family: 'IPv4' }));
}

async function connect(remotes: TransportAddress[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket, i) =>
        new Promise<void>((resolve) => {
          const to = remotes[i]!;
          socket.connect(to.port, to.address, () => {
            socket.removeAllListeners('message');
            socket.on('message', (bytes) => {
              echoed++;
              socket.send(bytes);
            });
            resolve();
          });
        }),
    ),
  );
}

serveRpc(async (command) => {
  const c = command as EchoCommand;
  switch (c.type) {
    case 'open':
      return open(c.flows);
    case 'connect':
      return connect(c.remotes);
    case 'count':
      return echoed;
    case 'close':
      return close();
  }
});
