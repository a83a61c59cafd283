import type { TransportAddress } from '../../wire/address.js';
import {
  ChangedAddress,
  MappedAddress,
  OtherAddress,
  ResponseOrigin,
  SourceAddress,
  XorMappedAddress,
} from '../../wire/attributes/addresses.js';
import { ChangeRequest } from '../../wire/attributes/change-request.js';
import { hasWrongLength } from '../../wire/attributes/codec.js';
import { Padding } from '../../wire/attributes/padding.js';
import { ResponsePort } from '../../wire/attributes/response-port.js';
import { Software } from '../../wire/attributes/texts.js';
import type { AttributeSpec } from '../../wire/build.js';
import { Attr, CREDENTIAL_ATTRIBUTES, StunClass } from '../../wire/constants.js';
import { encodeResponse } from './encode-response.js';
import { errorResponse, unknownComprehensionRequired } from './error-response.js';
import {
  type InboundContext,
  type InboundRequest,
  type Reply,
  type RequestHandler,
  replyTo,
} from './handler.js';
import { changedRole, type SocketRole } from './socket-role.js';

/** Longest SOFTWARE value the server sends, in UTF-8 bytes (RFC 8489 §14.14: fewer than 128 characters). */
export const MAX_SOFTWARE_BYTES = 128;

/**
 * Amplification bound: every response (success or error, either dialect) is at most
 * max(request bytes, MAX_UNPADDED_RESPONSE_BYTES). Worst case without PADDING is 260 bytes (IPv6 success
 * response with a 128-byte SOFTWARE); PADDING only ever grows a response up to the request's own size.
 */
export const MAX_UNPADDED_RESPONSE_BYTES = 300;

/** The server as the Binding responder sees it. */
export interface BindingConfig {
  /**
   * Local transport address of each socket role, identical for UDP and TCP. Without `A2:P1`/`A2:P2` the
   * server has no second IP: no OTHER-ADDRESS, and change-IP cannot be honoured.
   */
  sockets: ReadonlyMap<SocketRole, TransportAddress>;
  /** SOFTWARE value ('' for none), at most {@link MAX_SOFTWARE_BYTES}. */
  software: string;
}

/**
 * Comprehension-required attributes a Binding request may carry: RFC 5780's CHANGE-REQUEST, RESPONSE-PORT,
 * PADDING, and RFC 8489's own. The server holds no credentials, so USERNAME, MESSAGE-INTEGRITY and the
 * rest of authentication are understood and ignored (Binding needs no authentication, RFC 8489 §9).
 */
const KNOWN_ATTRIBUTES: ReadonlySet<number> = new Set([
  Attr.CHANGE_REQUEST,
  Attr.RESPONSE_PORT,
  Attr.PADDING,
  Attr.MAPPED_ADDRESS,
  Attr.XOR_MAPPED_ADDRESS,
  ...CREDENTIAL_ATTRIBUTES,
  Attr.USERHASH,
  Attr.ERROR_CODE,
  Attr.UNKNOWN_ATTRIBUTES,
]);

function successAttributes(
  req: InboundRequest,
  mapped: TransportAddress,
  origin: TransportAddress,
  other: TransportAddress | undefined,
  software: string,
): AttributeSpec[] {
  if (req.dialect.kind === 'rfc3489') {
    const classic: AttributeSpec[] = [MappedAddress.encode(mapped), SourceAddress.encode(origin)];
    if (other) classic.push(ChangedAddress.encode(other));
    return classic;
  }
  const attrs: AttributeSpec[] = [
    XorMappedAddress.encode(mapped),
    MappedAddress.encode(mapped),
    ResponseOrigin.encode(origin),
  ];
  if (other) attrs.push(OtherAddress.encode(other));
  if (software) attrs.push(Software.encode(software));
  return attrs;
}

/** Encodes the success response, adding PADDING up to the request's size when it asked (RFC 5780 §6.1). */
function paddedSuccess(req: InboundRequest, attrs: AttributeSpec[]): Buffer {
  const msg = req.message;
  const encode = (pad: number | undefined): Buffer =>
    encodeResponse(
      req.dialect,
      msg,
      StunClass.successResponse,
      pad === undefined ? attrs : [...attrs, Padding.encode(pad)],
    );
  if (Padding.decode(msg) === undefined) return encode(undefined);
  const bare = encode(0);
  return bare.length >= msg.raw.length ? bare : encode(msg.raw.length - bare.length);
}

/**
 * The RFC 5780 Binding responder (RFC 8489 §6.3, RFC 5780 §6.1): a pure function from a decoded request
 * and where it arrived to the reply bytes, the socket role to send them from and the destination.
 *
 * - Success responses carry XOR-MAPPED-ADDRESS and MAPPED-ADDRESS (the request's source), RESPONSE-ORIGIN
 *   (the socket the response leaves from), OTHER-ADDRESS (the socket differing in both IP and port from
 *   the one the request arrived on; omitted without a second IP, RFC 5780 §6), SOFTWARE, FINGERPRINT.
 *   RFC 3489 clients get MAPPED-ADDRESS, SOURCE-ADDRESS and CHANGED-ADDRESS instead (RFC 3489 §11.2).
 * - CHANGE-REQUEST picks the sending socket (RFC 5780 §6.1 table 1). Change-IP without a second IP is
 *   answered 420 with UNKNOWN-ATTRIBUTES [CHANGE-REQUEST]. Change-port alone is honoured with one IP:
 *   RFC 5780 §6's letter asks for 420 there too, but a conforming client sends CHANGE-REQUEST only after
 *   seeing OTHER-ADDRESS, which this server then never sends, and the port pair still serves clients that
 *   want to test port-dependent filtering.
 * - Over TCP or TLS a response can only go back on the connection, so CHANGE-REQUEST with a flag set and
 *   RESPONSE-PORT are answered 420 with UNKNOWN-ATTRIBUTES naming them (RFC 5780 §6.1 treats an
 *   unhonourable CHANGE-REQUEST as 420); CHANGE-REQUEST with no flag set is answered normally.
 * - RESPONSE-PORT sends the response to that port on the client's IP (RFC 5780 §7.5); with PADDING, or
 *   with port 0, it is 400 (RFC 5780 §6.1).
 * - PADDING pads the response up to the request's size, never beyond it; a PADDING attribute with an
 *   empty value is sent when the response is already that large. See {@link MAX_UNPADDED_RESPONSE_BYTES}.
 * - Unknown comprehension-required attributes are answered 420 with UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1).
 * Never throws for input a client can send (the request was decoded and length-checked before).
 */
export function respondToBinding(req: InboundRequest, ctx: InboundContext, config: BindingConfig): Reply {
  const msg = req.message;
  const fail = (code: 400 | 420, unknown?: number[]): Reply =>
    replyTo(ctx, errorResponse(msg, req.dialect, code, unknown));

  const unknown = unknownComprehensionRequired(msg, KNOWN_ATTRIBUTES);
  if (unknown.length > 0) return fail(420, unknown);

  const change = ChangeRequest.decode(msg) ?? { ip: false, port: false };
  const responsePort = ResponsePort.decode(msg);
  if (ctx.transport !== 'udp') {
    const unusable: number[] = [];
    if (change.ip || change.port) unusable.push(Attr.CHANGE_REQUEST);
    if (responsePort !== undefined) unusable.push(Attr.RESPONSE_PORT);
    if (unusable.length > 0) return fail(420, unusable);
  }
  let to = ctx.remote;
  if (responsePort !== undefined) {
    if (hasWrongLength(msg, ResponsePort) || !responsePort || Padding.decode(msg) !== undefined)
      return fail(400);
    to = { ...ctx.remote, port: responsePort };
  }

  const from = changedRole(ctx.localRole, change.ip, change.port);
  const origin = config.sockets.get(from);
  if (!origin) return fail(420, [Attr.CHANGE_REQUEST]);
  const other = config.sockets.get(changedRole(ctx.localRole, true, true));
  return {
    bytes: paddedSuccess(req, successAttributes(req, ctx.remote, origin, other, config.software)),
    from,
    to,
  };
}

/** {@link respondToBinding} as a {@link RequestHandler} for the Binding method. */
export function bindingHandler(config: BindingConfig): RequestHandler {
  return (req, ctx) => respondToBinding(req, ctx, config);
}
