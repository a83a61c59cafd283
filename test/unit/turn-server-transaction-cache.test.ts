/**
 * The TURN transaction cache (src/server/stun/transaction-cache.ts): a cached response holds memory of its
 * own, as large as the response. It used to keep the caller's buffer, usually a slice of Node's 8 KiB
 * buffer pool, which kept the whole pool chunk alive for 40 s: under the decoder fuzz, 1.6–3.6 KiB per cached
 * response, tens of MiB of RSS with the cache full (20,000 responses).
 */
import { describe, expect, it } from 'vitest';
import { TRANSACTION_CACHE_MS, TransactionCache } from '../../src/server/stun/transaction-cache.js';

const KEY = TransactionCache.key('udp 127.0.0.1 3478 127.0.0.1 50000', Buffer.alloc(12, 7));

describe('TransactionCache', () => {
  it('keeps a copy of a pooled response in memory of its own, exactly its size', () => {
    const response = Buffer.from('a response of some 40 bytes, from the pool');
    expect(response.buffer.byteLength).toBeGreaterThan(response.length);
    const cache = new TransactionCache();
    cache.store(KEY, response, 0);
    const kept = cache.lookup(KEY, 1)!;
    expect(kept).toEqual(response);
    expect(kept.buffer).not.toBe(response.buffer);
    expect(kept.buffer.byteLength).toBe(response.length);
  });

  it('answers a transaction until it expires, then forgets it', () => {
    const cache = new TransactionCache();
    expect(cache.lookup(KEY, 0)).toBeUndefined();
    cache.store(KEY, Buffer.from('done'), 0);
    expect(cache.lookup(KEY, TRANSACTION_CACHE_MS - 1)).toEqual(Buffer.from('done'));
    expect(cache.lookup(KEY, TRANSACTION_CACHE_MS)).toBeUndefined();
    cache.sweep(TRANSACTION_CACHE_MS);
    expect(cache.size).toBe(0);
  });
});
