import type { ServerProcess } from '../server-process.js';

const MIB = 1024 * 1024;

/**
 * How far the server's resident set may grow above its idle baseline while it is fuzzed, in bytes.
 * Measured: the idle child sits at about 90 MiB. What fuzzing may legitimately fill: the transaction cache
 * (at most 20,000 responses of ~0.3 KiB ≈ 6 MiB), one partial frame per open TCP connection (at most
 * 64 KiB each; the fuzz holds ≤ 256 connections with small partial frames, ≤ 16 MiB at worst), relay
 * sockets of the few fuzz allocations, and V8 heap slack between collections under a garbage-heavy load.
 * 64 MiB covers that with room; a per-message leak of even 64 bytes over the long profile's 1,000,000
 * messages would pass it.
 */
export const RSS_HEADROOM_BYTES = 64 * MIB;

/** The server's RSS: its idle baseline, the bound ({@link RSS_HEADROOM_BYTES} above it) and the maximum sampled. */
export class RssWatch {
  readonly baselineBytes: number;
  maxBytes: number;

  constructor(private readonly server: ServerProcess) {
    this.baselineBytes = server.rssBytes();
    this.maxBytes = this.baselineBytes;
  }

  /** The largest RSS allowed, in bytes. */
  get boundBytes(): number {
    return this.baselineBytes + RSS_HEADROOM_BYTES;
  }

  /** Samples the RSS now (nothing once the process is gone). */
  sample(): void {
    if (this.server.alive()) this.maxBytes = Math.max(this.maxBytes, this.server.rssBytes());
  }
}

/** Bytes as MiB with one decimal, e.g. `97.3 MiB`. */
export function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}
