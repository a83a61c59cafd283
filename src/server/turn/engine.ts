import { UnknownAttributes } from '../../wire/attributes/unknown-attributes.js';
import { Attr, CREDENTIAL_ATTRIBUTES, StunMethod } from '../../wire/constants.js';
import { unknownComprehensionRequired } from '../stun/error-response.js';
import {
  type ChannelDataHandler,
  type IndicationHandler,
  type Reply,
  type RequestHandler,
  replyTo,
} from '../stun/handler.js';
import { TransactionCache } from '../stun/transaction-cache.js';
import { AllocationTable } from './allocation-table.js';
import { Authenticator, integrityCovered } from './auth/authenticate.js';
import { AuthFailureLimiter } from './auth/limiter.js';
import type { TurnConfig } from './config.js';
import type { TurnMethod, TurnOutcome, TurnState } from './method.js';
import { allocate } from './methods/allocate.js';
import { channelBind } from './methods/channel-bind.js';
import { createPermission } from './methods/create-permission.js';
import { refresh } from './methods/refresh.js';
import { channelDataHandler, sendIndicationHandler } from './relay/inbound.js';
import { turnError, turnSuccess } from './reply.js';

/**
 * Comprehension-required attributes TURN requests may carry (RFC 8489 §14, RFC 8656 §18). DONT-FRAGMENT is
 * deliberately absent (the server cannot set DF: §7.2 says to treat it as unknown, 420), and so is USERHASH
 * (username anonymity is not offered).
 */
const KNOWN_ATTRIBUTES: ReadonlySet<number> = new Set([
  ...CREDENTIAL_ATTRIBUTES,
  Attr.PASSWORD_ALGORITHM,
  Attr.ERROR_CODE,
  Attr.UNKNOWN_ATTRIBUTES,
  Attr.CHANNEL_NUMBER,
  Attr.LIFETIME,
  Attr.XOR_PEER_ADDRESS,
  Attr.DATA,
  Attr.XOR_RELAYED_ADDRESS,
  Attr.XOR_MAPPED_ADDRESS,
  Attr.REQUESTED_ADDRESS_FAMILY,
  Attr.EVEN_PORT,
  Attr.REQUESTED_TRANSPORT,
  Attr.RESERVATION_TOKEN,
  Attr.PADDING,
]);

const METHOD_NAMES: ReadonlyMap<number, string> = new Map([
  [StunMethod.allocate, 'Allocate'],
  [StunMethod.refresh, 'Refresh'],
  [StunMethod.createPermission, 'CreatePermission'],
  [StunMethod.channelBind, 'ChannelBind'],
]);

/** The TURN server's engine, ready to plug into the dispatcher beside Binding. */
export interface TurnEngine {
  /** Allocate, Refresh, CreatePermission and ChannelBind by method number. */
  readonly handlers: ReadonlyMap<number, RequestHandler>;
  /** The Send indication handler by method number. */
  readonly indications: ReadonlyMap<number, IndicationHandler>;
  readonly channelData: ChannelDataHandler;
  /** The allocation table, for counts (allocations, relay ports bound, permissions, channels). */
  readonly table: AllocationTable;
  /** Deletes every allocation and stops every timer. Idempotent. */
  close(): void;
}

/**
 * Builds the TURN engine (RFC 8656) over one {@link AllocationTable}. Every request goes through one
 * pipeline: (1) a retransmission is answered from the {@link TransactionCache} with the bytes sent before;
 * (2) long-term authentication (RFC 8489 §9.2: 401,
 * 438, 400) — unauthenticated requests create no state and are not cached; failed authentications are
 * limited per client IP ({@link AuthFailureLimiter}; a block is logged once at warn level); from here on only
 * the attributes MESSAGE-INTEGRITY covers count ({@link integrityCovered}, RFC 8489 §14.5); (3) unknown
 * comprehension-required attributes → 420 with UNKNOWN-ATTRIBUTES; (4) the method's logic; (5) the
 * response carries MESSAGE-INTEGRITY with the user's key and is cached. Requests and their outcomes are
 * counted in the metrics; nothing here throws for client input.
 */
export function createTurnEngine(config: TurnConfig): TurnEngine {
  const table = new AllocationTable(config);
  const state: TurnState = { config, table };
  const { authLimit } = config;
  const limiter =
    authLimit.failureLimit > 0
      ? new AuthFailureLimiter(authLimit, (client, failures) => {
          config.metrics?.authBlocks.inc();
          config.log.warn(
            { client, failures, windowS: authLimit.windowMs / 1000, blockS: authLimit.blockMs / 1000 },
            'too many failed authentications: password checks suspended for this client',
          );
        })
      : null;
  const auth = new Authenticator(config.credentials, limiter);
  const cache = new TransactionCache();
  const sweeper = setInterval(() => cache.sweep(Date.now()), 5000);
  sweeper.unref();
  const { software, metrics } = config;

  const pipeline =
    (name: string, method: TurnMethod): RequestHandler =>
    (req, ctx) => {
      const msg = req.message;
      const reply = (bytes: Buffer): Reply => replyTo(ctx, bytes);
      const nowMs = Date.now();
      const cacheKey = TransactionCache.key(ctx.link.key, msg.transactionId);
      const cached = cache.lookup(cacheKey, nowMs);
      if (cached) return reply(cached);
      const who = auth.authenticate(msg, ctx.remote.address, nowMs);
      if (!who.ok) {
        metrics?.authFailures.inc({ reason: who.reason });
        metrics?.requests.inc({ method: name, outcome: String(who.code) });
        return reply(turnError(msg, who.code, null, who.attributes, software));
      }
      const finish = (outcome: TurnOutcome): Reply => {
        metrics?.requests.inc({ method: name, outcome: outcome.ok ? 'success' : String(outcome.code) });
        const bytes = outcome.ok
          ? turnSuccess(msg, who, outcome.attributes, software)
          : turnError(msg, outcome.code, who, outcome.attributes ?? [], software);
        cache.store(cacheKey, bytes, Date.now());
        return reply(bytes);
      };
      const covered = integrityCovered(msg);
      const unknown = unknownComprehensionRequired(covered, KNOWN_ATTRIBUTES);
      if (unknown.length > 0)
        return finish({ ok: false, code: 420, attributes: [UnknownAttributes.encode(unknown)] });
      return finish(method({ message: covered, ctx, auth: who, nowMs }, state));
    };

  const methods: [number, TurnMethod][] = [
    [StunMethod.allocate, allocate],
    [StunMethod.refresh, refresh],
    [StunMethod.createPermission, createPermission],
    [StunMethod.channelBind, channelBind],
  ];
  let closed = false;
  return {
    handlers: new Map(methods.map(([m, fn]) => [m, pipeline(METHOD_NAMES.get(m)!, fn)])),
    indications: new Map([[StunMethod.send, sendIndicationHandler(state)]]),
    channelData: channelDataHandler(state),
    table,
    close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      table.closeAll();
    },
  };
}
