// A tiny authoritative DNS server on 127.0.0.1:53 for the fleet test (run inside a network namespace):
// fleet.example → A 127.0.0.1, A 127.0.0.2, AAAA ::1; noaaaa.example → A 127.0.0.1, A 127.0.0.2 and AAAA
// queries are swallowed (a DNS server that drops them). Everything else: NXDOMAIN. Prints "ready".
import { createSocket } from 'node:dgram';

const ZONE = {
  'fleet.example': { 1: ['127.0.0.1', '127.0.0.2'], 28: ['::1'] },
  'noaaaa.example': { 1: ['127.0.0.1', '127.0.0.2'], 28: null },
};

function readName(msg, at) {
  const labels = [];
  while (msg[at] !== 0) {
    labels.push(msg.subarray(at + 1, at + 1 + msg[at]).toString('ascii'));
    at += 1 + msg[at];
  }
  return { name: labels.join('.').toLowerCase(), end: at + 1 };
}

function rdata(type, ip) {
  if (type === 1) return Buffer.from(ip.split('.').map(Number));
  const out = Buffer.alloc(16);
  out[15] = 1; // ::1 is the only IPv6 address served
  return out;
}

const socket = createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  const { name, end } = readName(msg, 12);
  const type = msg.readUInt16BE(end);
  const zone = ZONE[name];
  const ips = zone ? zone[type] : [];
  if (ips === null) return;
  const question = msg.subarray(12, end + 4);
  const answers = (ips ?? []).map((ip) => {
    const data = rdata(type, ip);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(type, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(data.length, 10);
    return Buffer.concat([rr, data]);
  });
  const header = Buffer.alloc(12);
  msg.copy(header, 0, 0, 2);
  header.writeUInt16BE(zone ? 0x8400 : 0x8403, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  socket.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
});
socket.bind(53, '127.0.0.1', () => console.log('ready'));
