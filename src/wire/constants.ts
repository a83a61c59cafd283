/**
 * STUN/TURN protocol numbers: message classes and methods (RFC 8489 §5, RFC 8656 §17), attribute types
 * (RFC 8489 §18.3, RFC 8656 §18, RFC 5780 §7) and error codes (RFC 8489 §14.8, RFC 8656 §19).
 */

/** The 32-bit magic cookie of every RFC 5389/8489 message (RFC 8489 §5). */
export const MAGIC_COOKIE = 0x2112a442;
/** Size of the fixed STUN header in bytes (RFC 8489 §5). */
export const HEADER_BYTES = 20;
/** The XOR applied to the CRC-32 of a FINGERPRINT (RFC 8489 §14.7). */
export const FINGERPRINT_XOR = 0x5354554e;

/** Message class, the two C bits of the message type (RFC 8489 §5). */
export const StunClass = {
  request: 0b00,
  indication: 0b01,
  successResponse: 0b10,
  errorResponse: 0b11,
} as const;
export type StunClass = (typeof StunClass)[keyof typeof StunClass];

/** STUN and TURN methods (RFC 8489 §18.2, RFC 8656 §17). */
export const StunMethod = {
  binding: 0x001,
  allocate: 0x003,
  refresh: 0x004,
  send: 0x006,
  data: 0x007,
  createPermission: 0x008,
  channelBind: 0x009,
} as const;
export type StunMethod = (typeof StunMethod)[keyof typeof StunMethod];

/** Attribute types used by ice-doctor. */
export const Attr = {
  MAPPED_ADDRESS: 0x0001,
  CHANGE_REQUEST: 0x0003,
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  UNKNOWN_ATTRIBUTES: 0x000a,
  CHANNEL_NUMBER: 0x000c,
  LIFETIME: 0x000d,
  XOR_PEER_ADDRESS: 0x0012,
  DATA: 0x0013,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_ADDRESS_FAMILY: 0x0017,
  EVEN_PORT: 0x0018,
  REQUESTED_TRANSPORT: 0x0019,
  DONT_FRAGMENT: 0x001a,
  MESSAGE_INTEGRITY_SHA256: 0x001c,
  PASSWORD_ALGORITHM: 0x001d,
  USERHASH: 0x001e,
  XOR_MAPPED_ADDRESS: 0x0020,
  RESERVATION_TOKEN: 0x0022,
  PADDING: 0x0026,
  RESPONSE_PORT: 0x0027,
  PASSWORD_ALGORITHMS: 0x8002,
  ALTERNATE_DOMAIN: 0x8003,
  SOFTWARE: 0x8022,
  ALTERNATE_SERVER: 0x8023,
  FINGERPRINT: 0x8028,
  RESPONSE_ORIGIN: 0x802b,
  OTHER_ADDRESS: 0x802c,
} as const;

/** Address attributes whose value is XORed with the magic cookie (and transaction ID): RFC 8489 §14.2. */
export const XOR_ADDRESS_TYPES: ReadonlySet<number> = new Set([
  Attr.XOR_MAPPED_ADDRESS,
  Attr.XOR_PEER_ADDRESS,
  Attr.XOR_RELAYED_ADDRESS,
]);

/**
 * Address attributes written plain, as MAPPED-ADDRESS is (RFC 8489 §14.1): MAPPED-ADDRESS, ALTERNATE-SERVER
 * (§14.15), RESPONSE-ORIGIN and OTHER-ADDRESS (RFC 5780 §7.3–7.4).
 */
export const PLAIN_ADDRESS_TYPES: ReadonlySet<number> = new Set([
  Attr.MAPPED_ADDRESS,
  Attr.ALTERNATE_SERVER,
  Attr.RESPONSE_ORIGIN,
  Attr.OTHER_ADDRESS,
]);

/**
 * The attributes of the long-term credential mechanism (RFC 8489 §9.2) that any request may carry, so every
 * agent understands them (comprehension-required, §14): USERNAME, REALM, NONCE, MESSAGE-INTEGRITY and
 * MESSAGE-INTEGRITY-SHA256.
 */
export const CREDENTIAL_ATTRIBUTES: readonly number[] = [
  Attr.USERNAME,
  Attr.REALM,
  Attr.NONCE,
  Attr.MESSAGE_INTEGRITY,
  Attr.MESSAGE_INTEGRITY_SHA256,
];

/** CHANGE-REQUEST flag bits (RFC 5780 §7.2). */
export const ChangeFlag = { ip: 0x04, port: 0x02 } as const;

/**
 * True when an attribute type is comprehension-required (0x0000–0x7FFF, RFC 8489 §14): an agent that does
 * not understand it must reject the request with 420.
 */
export function isComprehensionRequired(type: number): boolean {
  return type < 0x8000;
}

/**
 * The 16-bit message type of a method and class (RFC 8489 §5, figure 3: M11..M0 interleaved with C1 C0).
 * @param method 12-bit method number.
 * @param cls 2-bit class.
 */
export function messageType(method: number, cls: StunClass): number {
  return (
    ((method & 0xf80) << 2) |
    ((method & 0x070) << 1) |
    (method & 0x00f) |
    ((cls & 0b10) << 7) |
    ((cls & 0b01) << 4)
  );
}

/** The method of a 16-bit message type (inverse of {@link messageType}). */
export function methodOf(type: number): number {
  return ((type & 0x3e00) >> 2) | ((type & 0x00e0) >> 1) | (type & 0x000f);
}

/** The class of a 16-bit message type (inverse of {@link messageType}). */
export function classOf(type: number): StunClass {
  return (((type & 0x0100) >> 7) | ((type & 0x0010) >> 4)) as StunClass;
}

/** Reason phrases of the STUN and TURN error codes ice-doctor sends (RFC 8489 §14.8, RFC 8656 §19). */
export const ERROR_REASONS: ReadonlyMap<number, string> = new Map([
  [300, 'Try Alternate'],
  [400, 'Bad Request'],
  [401, 'Unauthenticated'],
  [403, 'Forbidden'],
  [420, 'Unknown Attribute'],
  [437, 'Allocation Mismatch'],
  [438, 'Stale Nonce'],
  [440, 'Address Family not Supported'],
  [441, 'Wrong Credentials'],
  [442, 'Unsupported Transport Protocol'],
  [443, 'Peer Address Family Mismatch'],
  [486, 'Allocation Quota Reached'],
  [508, 'Insufficient Capacity'],
]);
