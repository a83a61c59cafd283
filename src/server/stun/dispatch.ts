import type { Logger } from 'pino';
import { formatAddress } from '../../wire/address.js';
import { decodeClassicMessage, looksLikeClassicBindingRequest } from '../../wire/classic.js';
import { classOf, HEADER_BYTES, methodOf, StunClass } from '../../wire/constants.js';
import { StunDecodeError } from '../../wire/errors.js';
import { verifyFingerprint } from '../../wire/integrity.js';
import { decodeMessage, looksLikeStun } from '../../wire/message.js';
import { RFC5389 } from './encode-response.js';
import { errorResponse } from './error-response.js';
import {
  type ChannelDataHandler,
  type Dialect,
  type HandlerTable,
  type InboundContext,
  type InboundRequest,
  type IndicationHandler,
  type Reply,
  replyTo,
} from './handler.js';

/**
 * Turns one datagram or one TCP/TLS frame into at most one reply, synchronously (`null`: nothing to send).
 * Never throws.
 */
export type Dispatch = (bytes: Buffer, ctx: InboundContext) => Reply | null;

/**
 * What a dispatcher needs: request handlers by method, indication handlers by method (TURN's Send), the
 * ChannelData handler (TURN), a logger. Its own 400s carry no SOFTWARE (unauthenticated error
 * responses never do: it would only make them a bigger reflection).
 */
export interface DispatcherOptions {
  handlers: HandlerTable;
  indications?: ReadonlyMap<number, IndicationHandler>;
  channelData?: ChannelDataHandler;
  log: Logger;
}

/** True when the first byte starts a ChannelData message: its two top bits are 01 (RFC 8656 §12.4). */
export function isChannelData(bytes: Buffer): boolean {
  return bytes.length > 0 && (bytes[0]! & 0xc0) === 0x40;
}

type Parsed = { request: InboundRequest } | { malformed: Dialect } | null;

function parse(bytes: Buffer): Parsed {
  const stun = looksLikeStun(bytes);
  if (!stun && !looksLikeClassicBindingRequest(bytes)) return null;
  const dialect: Dialect = stun ? RFC5389 : { kind: 'rfc3489', idPrefix: bytes.readUInt32BE(4) };
  try {
    const message = stun ? decodeMessage(bytes) : decodeClassicMessage(bytes).message;
    return { request: { message, dialect } };
  } catch (err) {
    if (err instanceof StunDecodeError) return { malformed: dialect };
    throw err;
  }
}

/**
 * The front door shared by every listener (RFC 8489 §6.3): classifies the bytes, then
 * - hands ChannelData (first two bits 01) to the ChannelData handler when there is one (RFC 8656 §12.4);
 * - drops anything else that is not STUN, every response, and messages whose FINGERPRINT is present but
 *   wrong (RFC 8489 §7.3: such a message is silently discarded);
 * - hands an indication to the indication handler of its method, if any (RFC 8489 §6.3.2);
 * - answers 400 to a request that carries the magic cookie (or is an RFC 3489 Binding request) but does
 *   not decode: bad lengths, overrunning or malformed attributes;
 * - hands a decoded request to the handler registered for its method, and answers 400 to a method with no
 *   handler.
 * A handler that throws is a defect: it is logged at error level and nothing is sent.
 * The logger's level is read once, here: with debug off, no log object is built per datagram.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatch {
  const { handlers, indications, channelData, log } = opts;
  const failed = (err: unknown, ctx: InboundContext, bytes: Buffer): null => {
    log.error(
      { err, remote: formatAddress(ctx.remote), bytes: bytes.toString('hex') },
      'defect: request handling threw',
    );
    return null;
  };
  const debugOn = log.isLevelEnabled('debug');
  const debug = (ctx: InboundContext, msg: string, extra: Record<string, unknown> = {}): void => {
    log.debug(
      {
        transport: ctx.transport,
        local: formatAddress(ctx.local),
        remote: formatAddress(ctx.remote),
        ...extra,
      },
      msg,
    );
  };
  return (bytes, ctx) => {
    try {
      if (channelData && isChannelData(bytes)) {
        channelData(bytes, ctx);
        return null;
      }
      const parsed = parse(bytes);
      if (parsed === null) {
        if (debugOn) debug(ctx, 'dropped: not STUN', { bytes: bytes.length });
        return null;
      }
      if ('malformed' in parsed) {
        if (classOf(bytes.readUInt16BE(0)) !== StunClass.request) return null;
        if (debugOn) debug(ctx, 'malformed request: 400', { bytes: bytes.length });
        const answered = {
          method: methodOf(bytes.readUInt16BE(0)),
          transactionId: bytes.subarray(8, HEADER_BYTES),
        };
        return replyTo(ctx, errorResponse(answered, parsed.malformed, 400));
      }
      const { message } = parsed.request;
      if (verifyFingerprint(message) === 'invalid') {
        if (debugOn) debug(ctx, 'dropped: bad FINGERPRINT');
        return null;
      }
      if (message.cls === StunClass.indication) {
        indications?.get(message.method)?.(parsed.request, ctx);
        return null;
      }
      if (message.cls !== StunClass.request) {
        if (debugOn) debug(ctx, 'dropped: not a request', { cls: message.cls, method: message.method });
        return null;
      }
      const handler = handlers.get(message.method);
      const reply = handler
        ? handler(parsed.request, ctx)
        : replyTo(ctx, errorResponse(message, parsed.request.dialect, 400));
      if (debugOn)
        debug(ctx, 'request', {
          method: message.method,
          dialect: parsed.request.dialect.kind,
          bytes: bytes.length,
          replyBytes: reply?.bytes.length ?? 0,
          replyFrom: reply?.from,
          replyTo: reply ? formatAddress(reply.to) : undefined,
        });
      return reply;
    } catch (err) {
      return failed(err, ctx, bytes);
    }
  };
}
