import { randomFillSync } from 'node:crypto';

const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let next = POOL_IDS;

/**
 * A fresh 96-bit transaction ID (RFC 8489 §5: "uniformly and randomly chosen"), cut from a pooled block
 * of random bytes so callers on a busy path do not pay one `randomBytes` call each.
 * @returns a new 12-byte buffer.
 */
export function newTransactionId(): Buffer {
  if (next === POOL_IDS) {
    pool = randomFillSync(Buffer.alloc(12 * POOL_IDS));
    next = 0;
  }
  const id = Buffer.from(pool.subarray(next * 12, next * 12 + 12));
  next++;
  return id;
}
