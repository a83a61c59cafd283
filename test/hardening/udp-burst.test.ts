/**
 * A burst at the listening UDP port of `ice-doctor serve` (a child process on loopback): 100 Binding
 * requests of 1 KB (RFC 8489 §14: a comprehension-optional attribute the server ignores pads each one)
 * sent while the server is stopped (SIGSTOP, so nothing is read until SIGCONT), as when its event loop is
 * busy. With the default receive buffer (4 MiB asked, what the kernel granted reported in `--json`) the
 * kernel drops none (the `drops` column of /proc/net/udp for the socket) and every request is answered.
 * The same burst against `--udp-buffer-bytes 0` (the kernel default) is measured for the summary. Asking
 * for more than `net.core.rmem_max` allows starts with a warn-level log line naming the sysctl.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_UDP_BUFFER_BYTES } from '../../src/server/stun/udp-buffer.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { buildMessage } from '../../src/wire/build.js';
import { StunClass, StunMethod } from '../../src/wire/constants.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';
import { stopServes } from '../support/serve-process.js';
import { sleep } from './auth-server.js';
import { udpDrops } from './fuzz/udp-drops.js';
import { startHardened } from './server-process.js';
import { record } from './tally.js';

/** Datagrams in the burst, and the bytes of each. */
const BURST = 100;
const DATAGRAM_BYTES = 1024;
/** A comprehension-optional attribute type no STUN/TURN RFC assigns (RFC 8489 §14: ignored). */
const FILLER_TYPE = 0xc0fe;
/** How long the answers may take after SIGCONT, in ms. */
const ANSWER_MS = 5000;

const clients: dgram.Socket[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  stopServes();
});

/** A Binding request of {@link DATAGRAM_BYTES} bytes. */
function paddedBinding(): Buffer {
  const filler = Buffer.alloc(DATAGRAM_BYTES - 20 - 4, 0x61);
  return buildMessage({
    method: StunMethod.binding,
    cls: StunClass.request,
    transactionId: newTransactionId(),
    attributes: [{ type: FILLER_TYPE, raw: filler }],
  });
}

/**
 * Sends the burst to `server` while process `pid` is stopped, then lets it run.
 * @returns the kernel's drops at the server's socket during the burst, and the requests answered.
 */
async function burst(pid: number, server: TransportAddress): Promise<{ drops: number; answered: number }> {
  const client = dgram.createSocket('udp4');
  clients.push(client);
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  const answered = new Set<string>();
  client.on('message', (m) => answered.add(m.subarray(8, 20).toString('hex')));
  const before = udpDrops(server.port);
  process.kill(pid, 'SIGSTOP');
  try {
    for (let i = 0; i < BURST; i++) client.send(paddedBinding(), server.port, server.address);
    await sleep(200);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  const drops = udpDrops(server.port) - before;
  const deadline = Date.now() + ANSWER_MS;
  while (answered.size < BURST - drops && Date.now() < deadline) await sleep(50);
  return { drops, answered: answered.size };
}

describe('a burst at the listening UDP port', () => {
  it('100 × 1 KB Binding requests while the server is busy: 0 kernel drops, all answered; the granted size is reported', async ({
    task,
  }) => {
    const baseline = await startHardened(['--udp-buffer-bytes', '0']);
    if (!baseline.listening) throw new Error(baseline.stderr);
    const before = await burst(baseline.pid, baseline.line.turn.udp[0]!);
    stopServes();

    const s = await startHardened([]);
    if (!s.listening) throw new Error(s.stderr);
    const size = s.line.udpReceiveBuffer;
    const after = await burst(s.pid, s.line.turn.udp[0]!);
    record(task, {
      area: 'degradation',
      check: `UDP burst ${BURST} × ${DATAGRAM_BYTES} B to the listening port while stopped`,
      tried: BURST,
      failures: after.drops + (BURST - after.answered),
      detail:
        `buffer ${size?.granted} B granted of ${size?.requested}: ${after.drops} dropped, ${after.answered} answered; ` +
        `kernel default ${baseline.line.udpReceiveBuffer?.granted} B: ${before.drops} dropped`,
    });
    expect(size?.requested).toBe(4 * 1024 * 1024);
    expect(size?.granted).toBeGreaterThanOrEqual(BURST * 2 * DATAGRAM_BYTES);
    expect(after.drops).toBe(0);
    expect(after.answered).toBe(BURST);
  }, 60_000);

  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
  const asked = rmemMax * 4;
  it.skipIf(asked > MAX_UDP_BUFFER_BYTES)(
    'asking for more than net.core.rmem_max allows: started, the granted size reported, a warn-level log line naming the sysctl',
    async () => {
      const s = await startHardened(['--udp-buffer-bytes', String(asked)]);
      if (!s.listening) throw new Error(s.stderr);
      expect(s.line.udpReceiveBuffer).toEqual({ requested: asked, granted: rmemMax * 2 });
      const stderr = await s.logged(`sysctl -w net.core.rmem_max=${asked}`);
      expect(stderr).toContain(
        `--udp-buffer-bytes: the kernel capped each UDP socket's receive buffer at ${rmemMax * 2} bytes as read back (asked ${asked}; net.core.rmem_max is ${rmemMax})`,
      );
      expect(stderr).toContain(`sysctl -w net.core.rmem_max=${asked}`);
      expect(stderr).toMatch(/^\{"level":40,.*"msg":"--udp-buffer-bytes: the kernel capped/m);
    },
    30_000,
  );
});
