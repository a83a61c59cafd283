import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { bindingRequest } from '../../src/client/nat-probe/requests.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { Attr, StunClass } from '../../src/wire/constants.js';
import { decodeMessage, getAddress, type StunMessage } from '../../src/wire/message.js';

/** coturn's test TURN client and UDP echo peer (Debian package `coturn`). */
export const UCLIENT = '/usr/bin/turnutils_uclient';
export const TURN_PEER = '/usr/bin/turnutils_peer';
/** True when both tools are installed (tests that need them are skipped, and counted, otherwise). */
export const uclientAvailable = existsSync(UCLIENT) && existsSync(TURN_PEER);

/** The closing statistics `turnutils_uclient` prints (start_mclient's last lines, coturn 4.6.1). */
export interface UclientStats {
  /** `tot_send_msgs`: application messages sent through the relay, over every session. */
  sentMsgs: number;
  /** `tot_recv_msgs`: application messages that came back from the peer through the relay. */
  recvMsgs: number;
  sentBytes: number;
  recvBytes: number;
  /** `Total lost packets N (P%)`: uclient's own loss figure (sent − received). */
  lostPackets: number;
  lostPercent: number;
  /** `total send dropped N`: sends the client's socket refused. */
  sendDropped: number;
}

/**
 * Parses uclient's final statistics: the `start_mclient: tot_send_msgs=…, tot_recv_msgs=…` line without
 * `msz=` (the per-second progress lines have it), the `tot_send_bytes ~ …` line and the
 * `Total lost packets …, total send dropped …` line.
 * @returns null when uclient did not get as far as printing them (it exited early or was killed).
 */
export function parseUclientStats(output: string): UclientStats | null {
  const msgs = /start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)\s*$/m.exec(output);
  const bytes = /start_mclient: tot_send_bytes ~ (\d+), tot_recv_bytes ~ (\d+)\s*$/m.exec(output);
  const lost = /Total lost packets (\d+) \(([\d.]+|-?nan)%\), total send dropped (\d+)/m.exec(output);
  if (!msgs || !bytes || !lost) return null;
  return {
    sentMsgs: Number(msgs[1]),
    recvMsgs: Number(msgs[2]),
    sentBytes: Number(bytes[1]),
    recvBytes: Number(bytes[2]),
    lostPackets: Number(lost[1]),
    lostPercent: Number(lost[2]),
    sendDropped: Number(lost[3]),
  };
}

/** One finished `turnutils_uclient` run. */
export interface UclientRun {
  args: string[];
  /** Exit code, or null when it ended by a signal (e.g. killed at the time limit). */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when it was still running at the time limit and was killed. */
  timedOut: boolean;
  wallMs: number;
  /** stdout and stderr interleaved as they came (uclient logs to both). */
  output: string;
  stats: UclientStats | null;
}

/** Waits for a child to exit, or kills it by PID (SIGKILL) at `timeoutMs`. */
function awaitExit(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }> {
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut });
    });
  });
}

/**
 * Runs `turnutils_uclient` with `args` (flags first, the server IP last) and collects its output.
 * @param timeoutMs past it the process is killed by PID and the run reported `timedOut`.
 */
export async function runUclient(args: string[], timeoutMs: number): Promise<UclientRun> {
  const start = performance.now();
  const child = spawn(UCLIENT, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => chunks.push(c));
  child.stderr?.on('data', (c: Buffer) => chunks.push(c));
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  await spawned;
  const { code, signal, timedOut } = await awaitExit(child, timeoutMs);
  const output = Buffer.concat(chunks).toString('utf8');
  return {
    args,
    exitCode: code,
    signal,
    timedOut,
    wallMs: performance.now() - start,
    output,
    stats: parseUclientStats(output),
  };
}

/** The end of a run's output, for an assertion message. */
export function outputTail(run: UclientRun, lines = 15): string {
  return `uclient ${run.args.join(' ')} → exit ${run.exitCode ?? run.signal}\n${run.output
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .join('\n')}`;
}

function bindUdp(port: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(null);
    });
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

/** A UDP port P on 127.0.0.1 with P + 1 free too (uclient sends RTCP to the peer port + 1). */
export async function freeUdpPortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const first = await bindUdp(0);
    if (!first) continue;
    const port = first.address().port;
    const second = port < 65535 ? await bindUdp(port + 1) : null;
    await new Promise<void>((r) => first.close(() => r()));
    if (second) {
      await new Promise<void>((r) => second.close(() => r()));
      return port;
    }
  }
  throw new Error('no pair of free UDP ports on 127.0.0.1 after 20 tries');
}

/** Sends `payload` to 127.0.0.1:`port` every 100 ms until something answers, for at most `timeoutMs`. */
export async function udpEchoes(port: number, payload: Buffer, timeoutMs: number): Promise<Buffer | null> {
  const s = createSocket('udp4');
  let tick: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  try {
    return await new Promise<Buffer | null>((resolve) => {
      deadline = setTimeout(() => resolve(null), timeoutMs);
      tick = setInterval(() => s.send(payload, port, '127.0.0.1'), 100);
      s.on('message', (msg) => resolve(msg));
      s.on('error', () => undefined);
      s.send(payload, port, '127.0.0.1');
    });
  } finally {
    clearTimeout(deadline);
    clearInterval(tick);
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** A `turnutils_peer` started by a test: a UDP echo server on 127.0.0.1 at `port` (and `port + 1`). */
export interface TurnPeer {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts `turnutils_peer -L 127.0.0.1 -p P` on a free port pair and waits until it echoes on P and P + 1.
 * Stopped by PID.
 * @throws Error when it does not echo within 5 s.
 */
export async function startTurnPeer(): Promise<TurnPeer> {
  const port = await freeUdpPortPair();
  const child = spawn(TURN_PEER, ['-L', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    await exited;
  };
  const probe = Buffer.from('ice-doctor peer probe');
  const [rtp, rtcp] = await Promise.all([udpEchoes(port, probe, 5000), udpEchoes(port + 1, probe, 5000)]);
  if (!rtp?.equals(probe) || !rtcp?.equals(probe)) {
    await stop();
    throw new Error(`turnutils_peer on ${port}/${port + 1} did not echo within 5 s`);
  }
  return { pid, port, stop };
}

/**
 * One STUN Binding transaction over UDP (RFC 8489 §7.2.1 retransmissions, 250 ms apart, at most 8 sends).
 * @returns the success or error response, or null when nothing answered.
 */
export async function stunBinding(server: TransportAddress): Promise<StunMessage | null> {
  const { bytes, transactionId } = bindingRequest();
  const s = createSocket(server.family === 'IPv6' ? 'udp6' : 'udp4');
  try {
    return await new Promise<StunMessage | null>((resolve) => {
      let sends = 0;
      const send = () => {
        if (sends++ >= 8) {
          clearInterval(tick);
          resolve(null);
          return;
        }
        s.send(bytes, server.port, server.address);
      };
      const tick = setInterval(send, 250);
      s.on('message', (msg) => {
        try {
          const decoded = decodeMessage(msg);
          if (!decoded.transactionId.equals(transactionId)) return;
          clearInterval(tick);
          resolve(decoded);
        } catch {
          // not an answer to this request
        }
      });
      s.on('error', () => undefined);
      send();
    });
  } finally {
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** The XOR-MAPPED-ADDRESS of a Binding success response, or null for anything else. */
export function bindingSuccessAddress(msg: StunMessage | null): TransportAddress | null {
  if (msg?.cls !== StunClass.successResponse) return null;
  return getAddress(msg, Attr.XOR_MAPPED_ADDRESS) ?? null;
}

/**
 * Polls `done` every 100 ms until it is true or `timeoutMs` passes.
 * @returns the time it took in ms, or null when it never became true.
 */
export async function pollUntil(done: () => boolean, timeoutMs: number): Promise<number | null> {
  const start = performance.now();
  for (let i = 0; i <= timeoutMs / 100; i++) {
    if (done()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 100));
  }
  return done() ? performance.now() - start : null;
}
