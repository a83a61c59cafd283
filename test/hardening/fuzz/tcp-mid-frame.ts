import { TCP_IDLE_TIMEOUT_MS } from '../../../src/server/stun/tcp.js';
import type { TransportAddress } from '../../../src/wire/address.js';
import type { ServerProcess } from '../server-process.js';
import type { FuzzEnv, Round } from './campaign.js';
import { validBinding } from './gen-stream.js';
import type { Prng } from './prng.js';
import { StreamConn } from './stream-conn.js';
import { CLOSE_TIMEOUT_MS } from './tcp-bad-frames.js';

/** Connections opened at once. */
const PARALLEL = 8;
/** Most connections idle mid-frame at once (fuzz-decoder.test.ts raises the server's per-client share). */
const MAX_IDLE = 200;
/** How much longer than the server's idle timeout an idle connection may stay open, in ms. */
const IDLE_SLACK_MS = 5_000;
/** Open descriptors the server may hold above its count before the class (a lingering close or two). */
const FD_SLACK = 2;

/** How a connection stops after its partial frame. */
type Fate = 'fin' | 'reset' | 'idle';

/**
 * A partial frame: the first 1–19 bytes of a STUN header, or a whole header announcing more than follows
 * (sometimes 0xFFFF, the largest, with up to 60,000 of its bytes sent).
 */
function partialFrame(rng: Prng): Buffer {
  const whole = validBinding(rng).bytes;
  if (rng.chance(0.4)) return whole.subarray(0, rng.int(1, 19));
  const cut = Buffer.from(whole.subarray(0, rng.int(20, whole.length)));
  if (rng.chance(0.1)) {
    cut.writeUInt16BE(0xffff, 2);
    return Buffer.concat([cut, Buffer.alloc(rng.int(0, 60_000))]);
  }
  cut.writeUInt16BE(whole.length - 20 + 4 * rng.int(1, 50), 2);
  return cut;
}

/**
 * TCP streams that stop mid-frame, {@link PARALLEL} connections at a time: each sends 0–4 valid Binding
 * requests (the last one's answer awaited), then a partial frame, then FIN (the server must close it), a
 * reset, or nothing (left idle, at most {@link MAX_IDLE} open at once). {@link finish} waits for the server
 * to close every idle connection (its idle timeout, TCP_IDLE_TIMEOUT_MS, with no allocation on them),
 * checking the legit client every second meanwhile, then checks the server's descriptor count is back to
 * where it was.
 */
export class MidFrameCampaign {
  private readonly idle: { conn: StreamConn; sinceMs: number }[] = [];
  private readonly fdBefore: number;
  private longestIdleMs = 0;
  private fdAfter = 0;

  constructor(
    private readonly server: ServerProcess,
    private readonly tcp: TransportAddress,
    private readonly rng: Prng,
  ) {
    this.fdBefore = server.fdCount();
  }

  private async one(): Promise<Round> {
    const conn = await StreamConn.open(this.tcp);
    const wrong: string[] = [];
    const valid = this.rng.int(0, 4);
    for (let i = 0; i < valid; i++) {
      const p = validBinding(this.rng);
      if (i < valid - 1) conn.send(p.bytes);
      else if (!(await conn.exchange(p.bytes)))
        wrong.push('Binding request before a partial frame unanswered');
    }
    conn.send(partialFrame(this.rng));
    const fate = this.rng.pick<Fate>(['fin', 'fin', 'reset', 'reset', 'idle']);
    if (fate === 'idle' && this.idle.filter((i) => !i.conn.closed).length < MAX_IDLE) {
      this.idle.push({ conn, sinceMs: performance.now() });
    } else if (fate === 'reset') {
      conn.reset();
    } else {
      conn.end();
      if (!(await conn.waitClosed(CLOSE_TIMEOUT_MS))) {
        wrong.push('connection left open after a partial frame and FIN');
        conn.destroy();
      }
    }
    return { sent: valid + 1, wrong };
  }

  /** Opens up to {@link PARALLEL} connections at once; counts their frames (valid and partial). */
  async round(max: number): Promise<Round> {
    const n = Math.max(1, Math.min(PARALLEL, Math.floor(max / 3)));
    const rounds = await Promise.all(Array.from({ length: n }, () => this.one()));
    return { sent: rounds.reduce((a, r) => a + r.sent, 0), wrong: rounds.flatMap((r) => r.wrong) };
  }

  /** Waits for the idle connections to be closed by the server, then compares descriptor counts. */
  async finish(env: FuzzEnv): Promise<string[]> {
    const deadline = Math.max(0, ...this.idle.map((i) => i.sinceMs)) + TCP_IDLE_TIMEOUT_MS + IDLE_SLACK_MS;
    while (this.idle.some((i) => !i.conn.closed) && performance.now() < deadline) {
      await env.legit.check();
      env.rss.sample();
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const wrong: string[] = [];
    const open = this.idle.filter((i) => !i.conn.closed);
    if (open.length > 0) wrong.push(`${open.length} idle mid-frame connections never closed by the server`);
    for (const i of open) i.conn.destroy();
    this.longestIdleMs = Math.max(0, ...this.idle.map((i) => i.conn.closedAtMs - i.sinceMs));
    for (let tries = 0; tries < 20 && this.server.fdCount() > this.fdBefore + FD_SLACK; tries++)
      await new Promise((r) => setTimeout(r, 100));
    this.fdAfter = this.server.fdCount();
    if (this.fdAfter > this.fdBefore + FD_SLACK)
      wrong.push(`server holds ${this.fdAfter} descriptors, ${this.fdBefore} before`);
    return wrong;
  }

  /** The row's measured facts. */
  note(): string {
    const closedAfterS = (this.longestIdleMs / 1000).toFixed(1);
    return [
      `${this.idle.length} idle mid-frame connections closed by the server after ≤ ${closedAfterS} s`,
      `server fds ${this.fdBefore} before, ${this.fdAfter} after`,
    ].join('; ');
  }
}
