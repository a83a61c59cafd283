/** The part of a `ws` WebSocket the tally reads: bytes accepted by `send` and not yet handed to the kernel. */
export interface Queue {
  readonly bufferedAmount: number;
}

/** How long a computed total is reused (grown by what is queued meanwhile), in ms. */
export const QUEUED_TOTAL_REFRESH_MS = 100;

/**
 * The bytes queued for output over many sockets (the sum of their `bufferedAmount`: memory the server
 * holds because a receiver does not read), cheap enough to ask before every send: only sockets seen with
 * bytes queued after a send are summed, at most once per {@link QUEUED_TOTAL_REFRESH_MS}; between two
 * sums, bytes queued by {@link sent} are added, so the total may be high for a moment, never low (a
 * socket drains on its own, without telling). O(1) per send, O(sockets with a backlog) per refresh.
 */
export class QueuedOutput<S extends Queue> {
  private readonly backlogged = new Set<S>();
  private sum = 0;
  private sumAtMs = Number.NEGATIVE_INFINITY;

  /** @param nowMs the clock, ms (default `performance.now()`). */
  constructor(private readonly nowMs: () => number = () => performance.now()) {}

  /** Bytes queued over every socket with a backlog, in bytes (see the class comment). */
  total(): number {
    const now = this.nowMs();
    if (now - this.sumAtMs < QUEUED_TOTAL_REFRESH_MS) return this.sum;
    this.sum = 0;
    for (const socket of this.backlogged) {
      const queued = socket.bufferedAmount;
      if (queued > 0) this.sum += queued;
      else this.backlogged.delete(socket);
    }
    this.sumAtMs = now;
    return this.sum;
  }

  /** After a send to `socket`: `before` is its `bufferedAmount` read before that send, in bytes. */
  sent(socket: S, before: number): void {
    const after = socket.bufferedAmount;
    if (after <= 0) return;
    this.backlogged.add(socket);
    this.sum += Math.max(0, after - before);
  }

  /** Forgets a closed socket. */
  forget(socket: S): void {
    if (this.backlogged.delete(socket)) this.sumAtMs = Number.NEGATIVE_INFINITY;
  }
}
