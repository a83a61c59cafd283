/**
 * The exporter's concurrency bound (src/exporter/limiter.ts): at most `max` probes run, up to `maxQueued`
 * wait in order and get the slot a finished probe hands over, one more is refused with 503 at once, and a
 * waiting probe whose deadline passes is refused with 503 and leaves the queue.
 */
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/exporter/limiter.js';
import { ProbeRequestError } from '../../src/exporter/request-error.js';

const never = (): AbortSignal => new AbortController().signal;

describe('exporter: concurrency bound', () => {
  it('runs max at once, queues maxQueued in order, refuses the next with 503', async () => {
    const limiter = new ConcurrencyLimiter(2, 1);
    const a = await limiter.acquire(never());
    await limiter.acquire(never());
    expect(limiter.inUse).toBe(2);
    const order: string[] = [];
    const c = limiter.acquire(never()).then((release) => {
      order.push('c');
      return release;
    });
    expect(limiter.queued).toBe(1);
    const refused = await limiter.acquire(never()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProbeRequestError);
    expect((refused as ProbeRequestError).status).toBe(503);
    expect((refused as ProbeRequestError).message).toContain('--max-concurrent 2');
    a();
    a();
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect(limiter.inUse).toBe(2);
    expect(limiter.queued).toBe(0);
    releaseC();
    expect(limiter.inUse).toBe(1);
  });

  it('a waiting probe whose deadline passes gets 503 and leaves the queue; the slot goes to the next', async () => {
    const limiter = new ConcurrencyLimiter(1, 2);
    const first = await limiter.acquire(never());
    const deadline = new AbortController();
    const late = limiter.acquire(deadline.signal).catch((e: unknown) => e);
    const patient = limiter.acquire(never());
    expect(limiter.queued).toBe(2);
    deadline.abort();
    const err = await late;
    expect(err).toBeInstanceOf(ProbeRequestError);
    expect((err as ProbeRequestError).message).toContain('no free probe slot before the deadline');
    expect(limiter.queued).toBe(1);
    first();
    const release = await patient;
    expect(limiter.inUse).toBe(1);
    release();
    expect(limiter.inUse).toBe(0);
  });

  it('an already expired deadline with every slot busy is refused, not queued', async () => {
    const limiter = new ConcurrencyLimiter(1, 4);
    await limiter.acquire(never());
    const err = await limiter.acquire(AbortSignal.abort()).catch((e: unknown) => e);
    expect((err as ProbeRequestError).status).toBe(503);
    expect(limiter.queued).toBe(0);
  });
});
