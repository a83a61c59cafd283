/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same inputs, so a fuzz failure is
 * reproduced by re-running its class with the seed printed in the summary row.
 */
export class Prng {
  private state: number;

  /** @param seed any 32-bit integer. */
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** A uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** `length` random bytes. */
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let i = 0;
    for (; i + 4 <= length; i += 4) out.writeUInt32LE(Math.floor(this.next() * 4_294_967_296), i);
    for (; i < length; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}
