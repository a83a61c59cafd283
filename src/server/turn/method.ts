import type { TransportAddress } from '../../wire/address.js';
import type { AttributeSpec } from '../../wire/build.js';
import type { StunMessage } from '../../wire/message.js';
import type { InboundContext } from '../stun/handler.js';
import type { Allocation } from './allocation.js';
import type { AllocationTable } from './allocation-table.js';
import type { Authenticated } from './auth/authenticate.js';
import type { TurnConfig } from './config.js';
import type { TurnErrorCode } from './reply.js';

/** An authenticated TURN request, ready for its method's logic. */
export interface TurnRequest {
  message: StunMessage;
  ctx: InboundContext;
  auth: Authenticated;
  nowMs: number;
}

/** What a method's logic decided: a success with its attributes, or an error code (with attributes). */
export type TurnOutcome =
  | { ok: true; attributes: AttributeSpec[] }
  | { ok: false; code: TurnErrorCode; attributes?: AttributeSpec[] };

/** The state every TURN method works on. */
export interface TurnState {
  config: TurnConfig;
  table: AllocationTable;
}

/** The logic of one TURN request method after authentication (RFC 8656 §7–§12). */
export type TurnMethod = (req: TurnRequest, state: TurnState) => TurnOutcome;

/** An error outcome. */
export function refuse(code: TurnErrorCode, attributes?: AttributeSpec[]): TurnOutcome {
  return attributes ? { ok: false, code, attributes } : { ok: false, code };
}

/**
 * The allocation a non-Allocate request is about (RFC 8656 §7.3, §9.2, §11.2): the one on the request's
 * 5-tuple, created by the same username. 437 without one; 441 when another username created it.
 */
export function ownAllocation(req: TurnRequest, state: TurnState): Allocation | TurnOutcome {
  const a = state.table.get(req.ctx.link.key);
  if (!a) return refuse(437);
  if (a.username !== req.auth.username) return refuse(441);
  return a;
}

/**
 * Whether a scoped allocation (a report page credential, page-scope.ts) may reach `peer`: a relayed
 * transport address of this server (IP and port), or an address of a signaling room-mate of the page.
 * (Never the report server's outside-peer responder: the page does not run its outside-reach proof through
 * the bundled server, which shares the report server's host.)
 * Decided at CreatePermission and ChannelBind; the relay's data path only sees the permissions granted.
 */
export function inScope(a: Allocation, peer: TransportAddress, state: TurnState): boolean {
  return state.table.isRelayed(peer) || (state.config.pageScope?.allows(a.username, peer.address) ?? false);
}

/**
 * True when a permission for `peer`'s IP does not cover every port of it for a scoped allocation: this
 * server's relay IP (its host's other UDP services stay out of reach).
 */
export function portScoped(peer: TransportAddress, state: TurnState): boolean {
  return state.table.isRelayIp(peer);
}

/**
 * Checks one peer against the allocation and the peer policy (RFC 8656 §9.1, §21.3): 443 when its family
 * differs from the relayed address's, 403 when the policy denies it, and for CreatePermission and
 * ChannelBind of a scoped allocation (a report page credential) 403 when the peer is outside its scope
 * ({@link inScope}). A refusal is counted in the denied-peers metric and logged at debug level only, as a
 * flood of denied Send indications must not become a flood of log lines.
 * @returns `null` when the peer may be used.
 */
export function checkPeer(
  a: Allocation,
  peer: TransportAddress,
  state: TurnState,
  method: 'CreatePermission' | 'ChannelBind' | 'Send',
): TurnOutcome | null {
  if (peer.family !== a.relayed.family) return refuse(443);
  const decision = state.config.peerPolicy(peer.address);
  const rule = !decision.allowed
    ? decision.rule
    : a.scoped && method !== 'Send' && !inScope(a, peer, state)
      ? 'outside the report page credential scope'
      : null;
  if (rule === null) return null;
  state.config.metrics?.deniedPeers.inc({ method });
  state.config.log.debug({ client: a.link.key, peer: peer.address, rule, method }, 'peer denied');
  return refuse(403);
}

/**
 * The lifetime to grant for a requested one (RFC 8656 §7.2 and §7.3): min(requested, max), but never below
 * the default; the default when none was requested. In seconds.
 */
export function grantedLifetimeS(requestedS: number | undefined, state: TurnState): number {
  const { allocationDefaultS, allocationMaxS } = state.config.lifetimes;
  if (requestedS === undefined) return allocationDefaultS;
  return Math.max(allocationDefaultS, Math.min(requestedS, allocationMaxS));
}
