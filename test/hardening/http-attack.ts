import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TransportAddress } from '../../src/wire/address.js';
import { RawTurnClient } from '../support/turn-raw.js';
import { fetchRaw } from '../support/web-report.js';
import { type HeldConnection, legitAllocate, openHeld } from './held-connections.js';
import type { LegitCheck } from './legit-client.js';

/**
 * What an attacker's connection does once connected: `slow-header` sends the start of an HTTP request and
 * one more header line every {@link TRICKLE_MS}, never ending the header block; `silent` sends nothing
 * (to a TLS port: never a ClientHello).
 */
export type HoldMode = 'slow-header' | 'silent';

/** How often a slow-header connection sends one more header line, in ms. */
const TRICKLE_MS = 2_000;
/** Connections an attacker opened and holds for as long as the server lets it. */
export interface HeldConnections {
  /** Connections tried. */
  readonly tried: number;
  /** Connections whose TCP handshake failed. */
  readonly failed: number;
  /** For each connection the server closed: ms from connect to close. */
  readonly closedAfterMs: number[];
  /** Connections open now. */
  open(): number;
  /** Destroys every connection still open. */
  release(): void;
}

/**
 * Opens `count` TCP connections to `target` with held-connections.ts `openHeld`, spread round-robin over
 * the local `sources` addresses (loopback addresses: one attacker IP each), each doing `mode`, and holds
 * them. Resolves once every connection is connected or failed.
 */
export async function holdConnections(
  target: TransportAddress,
  count: number,
  sources: readonly string[],
  mode: HoldMode,
): Promise<HeldConnections> {
  const timers: NodeJS.Timeout[] = [];
  const trickle = (socket: Socket): void => {
    socket.resume();
    if (mode !== 'slow-header') return;
    socket.write(`GET / HTTP/1.1\r\nHost: ${target.address}:${target.port}\r\n`);
    let line = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Slow-${line++}: a\r\n`);
    }, TRICKLE_MS);
    timers.push(timer);
    socket.once('close', () => clearInterval(timer));
  };
  const held = await openHeld(target, count, trickle, sources);
  const connected = (): HeldConnection[] => held.filter((h) => h.connected);
  return {
    tried: count,
    get failed() {
      return held.filter((h) => !h.connected && h.closedMs !== null).length;
    },
    get closedAfterMs() {
      return connected().flatMap((h) => (h.closedMs === null ? [] : [h.closedMs - h.connectedMs]));
    },
    open: () => connected().filter((h) => h.closedMs === null).length,
    release() {
      for (const t of timers) clearInterval(t);
      for (const h of held) h.socket.destroy();
    },
  };
}

/** Runs `work` with a deadline of `timeoutMs`: ok with its time, or the error or the timeout. */
async function timed(work: () => Promise<void>, timeoutMs: number): Promise<LegitCheck> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: performance.now() - start };
  } catch (err) {
    return {
      ok: false,
      ms: performance.now() - start,
      error: err instanceof Error ? err.message : String(err),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A legitimate visitor's GET of the page at `url` (from 127.0.0.1): ok when it answers 200. */
export function legitPage(url: string, timeoutMs = 5_000): Promise<LegitCheck> {
  return timed(async () => {
    const res = await fetchRaw(url);
    if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}`);
  }, timeoutMs);
}

/** A legitimate TLS handshake with `port` on 127.0.0.1 (any certificate): ok once it is secure. */
export function legitTlsHandshake(port: number, timeoutMs = 5_000): Promise<LegitCheck> {
  let socket: ReturnType<typeof tlsConnect> | undefined;
  return timed(
    () =>
      new Promise<void>((resolve, reject) => {
        socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve());
        socket.once('error', reject);
        socket.once('close', () => reject(new Error('closed before the handshake ended')));
      }),
    timeoutMs,
  ).finally(() => socket?.destroy());
}

/**
 * A legitimate UDP Allocate at `server` as the hardening user (held-connections.ts `legitAllocate`):
 * ok when it succeeds (a 508 is not), within 5 s.
 */
export async function legitUdpAllocate(server: TransportAddress): Promise<LegitCheck> {
  const r = await legitAllocate('UDP', () => RawTurnClient.udp(server));
  return r.ok ? { ok: true, ms: r.ms } : { ok: false, ms: r.ms, error: r.outcome };
}

/** `label p50/max ms (failed n)` of a series of checks, for a summary row's detail. */
export function latencies(label: string, checks: readonly LegitCheck[]): string {
  const ms = checks.map((c) => c.ms).sort((a, b) => a - b);
  const failed = checks.filter((c) => !c.ok).length;
  const p50 = ms[Math.floor(ms.length / 2)] ?? 0;
  return `${label} p50 ${Math.round(p50)} / max ${Math.round(ms.at(-1) ?? 0)} ms${failed ? ` (${failed} failed)` : ''}`;
}
