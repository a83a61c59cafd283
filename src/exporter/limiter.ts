import { ProbeRequestError } from './request-error.js';

/**
 * Bounds how many probes run at once: `max` run, up to `maxQueued` more wait in arrival order for a slot
 * until their own deadline, and any beyond are refused at once. Each probe opens sockets and a turn-check
 * makes several allocations, so an unbounded exporter scraped too often would load the TURN server it
 * watches (and this host).
 */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  /**
   * @param max probes at once, ≥ 1.
   * @param maxQueued probes that may wait, ≥ 0.
   */
  constructor(
    readonly max: number,
    readonly maxQueued: number,
  ) {}

  /** Probes running now. */
  get inUse(): number {
    return this.running;
  }

  /** Probes waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Takes a slot, waiting for one while `signal` allows; resolves with the function that gives it back
   * (call it exactly once, when the probe ends).
   * @throws ProbeRequestError 503 when every slot is taken and the queue is full, or when `signal` aborts
   *   (the probe's deadline) before a slot frees.
   */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (this.running < this.max) return this.take();
    if (this.waiting.length >= this.maxQueued)
      throw new ProbeRequestError(
        503,
        `busy: ${this.running} probes running and ${this.waiting.length} waiting (--max-concurrent ${this.max}); try later`,
      );
    await new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(wake);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(
          new ProbeRequestError(
            503,
            `busy: no free probe slot before the deadline (--max-concurrent ${this.max})`,
          ),
        );
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(wake);
    });
    return this.take(true);
  }

  /** Counts a running probe (unless the slot was handed over by {@link release}); returns its release. */
  private take(handedOver = false): () => void {
    if (!handedOver) this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release();
    };
  }

  /** Hands the slot to the first waiting probe, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
