import { Attr } from '../constants.js';
import { findAttribute } from '../message.js';
import type { AttributeCodec } from './codec.js';

/** PASSWORD-ALGORITHM numbers (RFC 8489 §18.5). */
export const PasswordAlgorithmNumber = { md5: 0x0001, sha256: 0x0002 } as const;

/**
 * PASSWORD-ALGORITHMS (RFC 8489 §14.11): the algorithms a server offers, each as a 16-bit number and a
 * 16-bit parameters length, 0 here: neither MD5 nor SHA-256 takes parameters (RFC 8489 §18.5). Encoded `raw`
 * (after the typed attributes of a message). `decode` gives the numbers in order, `null` when the value is
 * not whole 4-byte entries or an entry has parameters; so a decoded list equals the one offered exactly
 * when the bytes do, which is what the server checks (bid-down protection, RFC 8489 §9.2.4).
 */
export const PasswordAlgorithms: AttributeCodec<readonly number[], number[] | null> = {
  type: Attr.PASSWORD_ALGORITHMS,
  encode: (algorithms) => {
    const value = Buffer.alloc(algorithms.length * 4);
    for (const [i, alg] of algorithms.entries()) value.writeUInt16BE(alg, i * 4);
    return { type: Attr.PASSWORD_ALGORITHMS, raw: value };
  },
  decode: (msg) => {
    const v = findAttribute(msg, Attr.PASSWORD_ALGORITHMS)?.value;
    if (!v) return undefined;
    if (v.length % 4 !== 0) return null;
    const out: number[] = [];
    for (let i = 0; i < v.length; i += 4) {
      if (v.readUInt16BE(i + 2) !== 0) return null;
      out.push(v.readUInt16BE(i));
    }
    return out;
  },
};

/**
 * PASSWORD-ALGORITHM (RFC 8489 §14.12): the algorithm a client chose from PASSWORD-ALGORITHMS, a 16-bit
 * number and a 16-bit parameters length (0). `decode` gives the number, undefined for a value shorter than
 * 4 bytes (which `decodeMessage` already refuses).
 */
export const PasswordAlgorithm: AttributeCodec<number> = {
  type: Attr.PASSWORD_ALGORITHM,
  encode: (alg) => ({ type: Attr.PASSWORD_ALGORITHM, uint32: (alg << 16) >>> 0 }),
  decode: (msg) => {
    const v = findAttribute(msg, Attr.PASSWORD_ALGORITHM)?.value;
    return v && v.length >= 4 ? v.readUInt16BE(0) : undefined;
  },
};
