import { profile } from '../profile.js';
import type { ServerProcess } from '../server-process.js';

const MIB = 1024 * 1024;

/**
 * How far the server's resident set may grow above its idle baseline while it is fuzzed, in bytes, per
 * profile. Measured on a loaded 2-core machine, Node 20: the idle child sits at 83–92 MiB; the short profile
 * (60,000 messages) peaks 35–45 MiB above it, the long profile (1,000,000) 105–131 MiB above it (four
 * runs), highest in the classes that open thousands of TCP connections or send inputs of thousands of
 * attributes. The growth is V8's heap high-water mark, not retained data: after 40,000 of the largest
 * inputs, or 13,000 mid-frame TCP connections, a forced GC leaves the heap at its starting ~18–21 MiB and
 * array buffers at ~1 MiB (30 MiB of buffers before the transaction cache stopped pinning pool chunks), and
 * RSS falls below the idle baseline once the server idles. Each bound leaves 35–60 MiB over its profile's
 * peaks: a leak of ~60 bytes per message over the long profile would cross it.
 */
export const RSS_HEADROOM_BYTES = profile.name === 'long' ? 192 * MIB : 80 * MIB;

/**
 * The server's RSS: its idle baseline, the bound ({@link RSS_HEADROOM_BYTES} above it), the maximum sampled
 * over the whole run and over the current input class.
 */
export class RssWatch {
  readonly baselineBytes: number;
  maxBytes: number;
  classMaxBytes: number;

  constructor(private readonly server: ServerProcess) {
    this.baselineBytes = server.rssBytes();
    this.maxBytes = this.baselineBytes;
    this.classMaxBytes = this.baselineBytes;
  }

  /** Starts the maximum of a new input class at the RSS now. */
  startClass(): void {
    this.classMaxBytes = 0;
    this.sample();
  }

  /** The largest RSS allowed, in bytes. */
  get boundBytes(): number {
    return this.baselineBytes + RSS_HEADROOM_BYTES;
  }

  /** Samples the RSS now (nothing once the process is gone). */
  sample(): void {
    if (!this.server.alive()) return;
    const now = this.server.rssBytes();
    this.maxBytes = Math.max(this.maxBytes, now);
    this.classMaxBytes = Math.max(this.classMaxBytes, now);
  }
}

/** Bytes as MiB with one decimal, e.g. `97.3 MiB`. */
export function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}
