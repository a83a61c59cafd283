import type { Logger } from 'pino';
import type { Family } from '../../wire/address.js';
import type { AlternatePicker } from './alternate.js';
import type { CredentialSource } from './auth/authenticate.js';
import type { AuthLimitSettings } from './auth/limiter.js';
import type { TurnMetrics } from './metrics.js';
import type { ScopeCheck } from './page-scope.js';
import type { PeerPolicy } from './peer-policy.js';
import type { PortRange } from './relay/ports.js';

/** Where relayed transport addresses of one family live. */
export interface RelayFamilyConfig {
  /** Local IP the relay sockets bind to. */
  ip: string;
  /** The IP given to clients in XOR-RELAYED-ADDRESS when the relay IP is behind a NAT (e.g. a cloud VM). */
  externalIp?: string;
  ports: PortRange;
}

/** Lifetimes in seconds (RFC 8656 §7, §9, §12). */
export interface TurnLifetimes {
  /** Allocation lifetime when the client asks for less or nothing (RFC: 600 s). */
  allocationDefaultS: number;
  /** Longest allocation lifetime granted (RFC suggests 3600 s). */
  allocationMaxS: number;
  /** Permission lifetime (RFC: 300 s). */
  permissionS: number;
  /** Channel binding lifetime (RFC: 600 s). */
  channelS: number;
}

/** Limits on what one user and the whole server may hold. */
export interface TurnQuotas {
  /** Allocations per username at once (486 beyond it). */
  perUser: number;
  /** Allocations in total at once (486 beyond it). */
  total: number;
  /** Relayed bytes per second per allocation, each direction counted; `null` for no cap. */
  bandwidthBytesPerS: number | null;
}

/** Everything the TURN engine needs, built by server.ts from resolved settings (settings.ts). */
export interface TurnConfig {
  credentials: CredentialSource;
  /** Brute-force limiting of failed authentications per client IP; `failureLimit` 0 turns it off. */
  authLimit: AuthLimitSettings;
  /** SOFTWARE value ('' for none). */
  software: string;
  lifetimes: TurnLifetimes;
  /** Relay addresses by family; a family without one is answered 440. */
  relay: Partial<Record<Family, RelayFamilyConfig>>;
  quotas: TurnQuotas;
  peerPolicy: PeerPolicy;
  /**
   * Where the report page's scoped credentials may relay beyond this server's relayed addresses (their
   * signaling room-mates), or `null` without a report page (page-scope.ts).
   */
  pageScope: ScopeCheck | null;
  metrics: TurnMetrics | null;
  log: Logger;
  /** Where Allocates are redirected with 300 Try Alternate (`alternate.ts`); absent: never. */
  alternate?: AlternatePicker;
}

/** RFC 8656's lifetimes: allocation 600 s (max 3600 s), permission 300 s, channel 600 s. */
export const RFC_LIFETIMES: TurnLifetimes = {
  allocationDefaultS: 600,
  allocationMaxS: 3600,
  permissionS: 300,
  channelS: 600,
};

/**
 * After a channel binding expires, neither its number nor its peer may be rebound to anything else for this
 * long, in seconds (RFC 8656 §12).
 */
export const CHANNEL_HOLD_S = 300;
