/**
 * The `ice-doctor serve` contract, run as a child process from the sources (node --import tsx): one JSON
 * line on stdout once listening (STUN endpoints and the TURN block), a served Binding, exit 0 on
 * SIGTERM/SIGINT, exit 2 with one line on bad flags.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { serveLineSchema } from '../../src/report/serve-schema.js';
import { Attr } from '../../src/wire/constants.js';
import { decodeMessage, getAddress } from '../../src/wire/message.js';
import { startListening, startServe } from '../support/serve-process.js';
import { bindingRequest, udpClient } from './stun-server-helpers.js';

/** `serve` from the sources, as this file tests it (test/support/serve-process.ts). */
const SOURCE = { source: true } as const;

describe('ice-doctor serve', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints one JSON line, serves, and exits 0 on %s',
    async (signal) => {
      const s = await startListening(['--listen', '127.0.0.1,127.0.0.2', '--port', '0', '--json'], SOURCE);
      try {
        const printed: unknown = JSON.parse(s.stdout().split('\n')[0]!);
        expect(Object.keys(printed as object)).toEqual([
          'udp',
          'tcp',
          'otherAddress',
          'udpReceiveBuffer',
          'limitations',
          'fds',
          'turn',
          'report',
        ]);
        expect(serveLineSchema.safeParse(printed).error).toBeUndefined();
        const { line } = s;
        expect(line.fds).toMatchObject({ connectionsPerIp: 100 });
        expect(line.fds.connections).toBeGreaterThan(0);
        expect(line.fds.relaySockets).toBeGreaterThan(0);
        expect(line.udp).toHaveLength(4);
        expect(line.tcp).toEqual(line.udp);
        expect(line.otherAddress).toEqual(line.udp[3]);
        expect(line.limitations).toEqual([]);
        const client = await udpClient();
        client.send(bindingRequest().bytes, line.udp[0]!);
        const got = await client.next(2000);
        await client.close();
        expect(getAddress(decodeMessage(got!.bytes), Attr.RESPONSE_ORIGIN)).toEqual(line.udp[0]);
      } finally {
        expect((await s.stop(signal)).code).toBe(0);
      }
    },
  );

  it('logs requests as pino JSON on stderr with --verbose, and keeps stdout to the one line', async () => {
    const s = await startListening(['--port', '0', '--json', '--no-tcp', '--verbose'], SOURCE);
    try {
      expect(s.line.tcp).toEqual([]);
      const client = await udpClient();
      client.send(bindingRequest().bytes, s.line.udp[0]!);
      await client.next(2000);
      await client.close();
    } finally {
      expect((await s.stop('SIGTERM')).code).toBe(0);
    }
    expect(s.stdout().split('\n')).toEqual([expect.stringMatching(/^\{/), '']);
    const entries = s
      .stderr()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(entries.some((e) => e.level === 20 && e.msg === 'request')).toBe(true);
  });

  it('says at start-up which UDP receive buffer the kernel granted', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'serve',
        '--port',
        '0',
        '--no-report',
        '--no-tls',
        '--udp-buffer-bytes',
        '131072',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start-up text within 20 s: ${stdout}`)), 20_000);
        child.stdout!.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (!stdout.includes('Serving until')) return;
          clearTimeout(timer);
          resolve();
        });
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(stdout).toMatch(
      /^ {2}UDP receive buffer {2}262144 bytes per socket as the kernel reports it \(asked 131072\)$/m,
    );
  });

  it.each([
    [['--port', 'x'], "ice-doctor: --port: must be a port number (0–65535), got 'x'\n"],
    [
      ['--listen', '127.0.0.1,127.0.0.2,127.0.0.3'],
      "ice-doctor: --listen: takes one or two IP addresses per family (RFC 5780: a primary and an alternate), got '127.0.0.1,127.0.0.2,127.0.0.3'\n",
    ],
    [
      ['--relay-ports', '10-20'],
      "ice-doctor: --relay-ports: '10-20' is not a range like 49160-49200 within 1024–65535\n",
    ],
    [['--allow-peer', '10.0.0.0/33'], "ice-doctor: --allow-peer: '10.0.0.0/33' is not a CIDR\n"],
    [
      ['--udp-buffer-bytes', '1000'],
      "ice-doctor: --udp-buffer-bytes: must be a whole number of bytes from 65536 to 268435456, or 0 for the kernel default, got '1000'\n",
    ],
  ])('rejects %j with exit 2, one line on stderr and one pointing at --help', async (args, message) => {
    const s = await startServe(args, SOURCE);
    if (s.listening) throw new Error(`serve ${args.join(' ')} started`);
    const { stderr } = s;
    expect(s.code).toBe(2);
    expect(stderr.split('\n')).toEqual([
      message.trimEnd(),
      expect.stringMatching(/^Run '.+ serve --help' for usage\.$/),
      '',
    ]);
  });
});
