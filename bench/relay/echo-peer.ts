/**
 * The relay bench's UDP echo peer (a worker thread; commands in echo-api.ts): named sets (one per target) of
 * one socket per flow on 127.0.0.1, each datagram sent back to its sender. Once connected to its flow's one sender, a socket echoes
 * without naming an address (no lookup per datagram).
 */
import dgram from 'node:dgram';
import type { TransportAddress } from '../../src/wire/address.js';
import type { EchoCommand } from './echo-api.js';
import { serveRpc } from './worker-rpc.js';

/** Echo sockets by set name (one set per target). */
const sets = new Map<string, dgram.Socket[]>();

async function openOne(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined);
  socket.on('message', (bytes, rinfo) => {
    socket.send(bytes, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

async function closeSet(name: string): Promise<void> {
  const sockets = sets.get(name) ?? [];
  sets.delete(name);
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}

async function close(name?: string): Promise<void> {
  for (const n of name === undefined ? [...sets.keys()] : [name]) await closeSet(n);
}

async function open(name: string, flows: number): Promise<TransportAddress[]> {
  await closeSet(name);
  const sockets: dgram.Socket[] = [];
  for (let i = 0; i < flows; i++) sockets.push(await openOne());
  sets.set(name, sockets);
  return sockets.map((s) => ({ address: '127.0.0.1', port: s.address().port, family: 'IPv4' }));
}

async function connect(name: string, remotes: TransportAddress[]): Promise<void> {
  const sockets = sets.get(name) ?? [];
  await Promise.all(
    sockets.map(
      (socket, i) =>
        new Promise<void>((resolve) => {
          const to = remotes[i]!;
          socket.connect(to.port, to.address, () => {
            socket.removeAllListeners('message');
            socket.on('message', (bytes) => {
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
      return open(c.set, c.flows);
    case 'connect':
      return connect(c.set, c.remotes);
    case 'close':
      return close(c.set);
  }
});
