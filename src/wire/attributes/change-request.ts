import { Attr, ChangeFlag } from '../constants.js';
import { getUint32 } from '../message.js';
import type { AttributeCodec } from './codec.js';

/** What a CHANGE-REQUEST asks: a response from the server's other IP, its other port, or both. */
export interface ChangeFlags {
  ip: boolean;
  port: boolean;
}

/**
 * CHANGE-REQUEST (RFC 5780 §7.2): a 32-bit value whose "change IP" (0x04) and "change port" (0x02) bits ask
 * the server to answer from another socket. `decode` reads those two bits and ignores the others.
 */
export const ChangeRequest: AttributeCodec<ChangeFlags> = {
  type: Attr.CHANGE_REQUEST,
  encode: ({ ip, port }) => ({
    type: Attr.CHANGE_REQUEST,
    uint32: (ip ? ChangeFlag.ip : 0) | (port ? ChangeFlag.port : 0),
  }),
  decode: (msg) => {
    const flags = getUint32(msg, Attr.CHANGE_REQUEST);
    if (flags === undefined) return undefined;
    return { ip: (flags & ChangeFlag.ip) !== 0, port: (flags & ChangeFlag.port) !== 0 };
  },
};
