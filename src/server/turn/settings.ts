import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { SettingsError } from '../../errors.js';
import { DEFAULT_CONNECTIONS_PER_IP } from '../../net/connection-budget.js';
import { STUNS_DEFAULT_PORT } from '../../shared/ice-url.js';
import { type AlternateSettings, alternateSettings } from './alternate.js';
import { type AuthLimitSettings, DEFAULT_AUTH_LIMIT } from './auth/limiter.js';
import { RFC_LIFETIMES, type TurnLifetimes } from './config.js';
import { createPeerPolicy } from './peer-policy.js';
import { DEFAULT_RELAY_PORTS, type PortRange } from './relay/ports.js';

/** Default realm (RFC 8489 §14.9). */
export const DEFAULT_REALM = 'ice-doctor';
/** Username of the user generated when none is configured (its password is random and printed). */
export const GENERATED_USER = 'ice-doctor';
/** Default quota of allocations per user (coturn's default is unlimited; generous but finite). */
export const DEFAULT_USER_QUOTA = 100;
/** Default quota of allocations in total. */
export const DEFAULT_TOTAL_QUOTA = 2000;
/** Seconds a nonce is valid (coturn's default). */
export const DEFAULT_NONCE_LIFETIME_S = 600;
/** Seconds a TCP or TLS connection may stay open without an allocation (coturn's max-allocate-timeout). */
export const DEFAULT_ALLOCATE_TIMEOUT_S = 60;
/** Longest allocate timeout, in seconds. */
export const MAX_ALLOCATE_TIMEOUT_S = 3600;
/** The largest count a setting takes (nine digits): quotas, lifetimes, limits. */
export const MAX_COUNT = 999_999_999;
/** Smallest per-allocation bandwidth cap, in bytes per second. */
export const MIN_BANDWIDTH_BYTES_PER_S = 1000;
/** Address of the metrics endpoint by default (loopback: metrics are not for the world). */
export const DEFAULT_METRICS_HOST = '127.0.0.1';
/** Shortest TURN REST secret that starts without a warning, in bytes (coturn's docs ask for a long random one). */
export const MIN_SECRET_BYTES = 16;
/** Longest realm, in bytes (RFC 8489 §14.9: fewer than 128 characters, at most 763 bytes). */
export const MAX_REALM_BYTES = 763;
/** Peers the embedded default (every listening address on loopback) allows, and says so. */
export const LOOPBACK_PEERS: readonly string[] = ['127.0.0.0/8', '::1/128'];

/**
 * TURN settings as an API caller (or the CLI's parsers) writes them: every field optional, numbers in the
 * units their names say. {@link resolveTurnSettings} fills the defaults.
 */
export interface TurnSettingsInput {
  /** Default {@link DEFAULT_REALM}; 1–{@link MAX_REALM_BYTES} bytes. */
  realm?: string;
  /** username → password (long-term credentials, RFC 8489 §9.2). */
  users?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** TURN REST API shared secrets (several for rotation). */
  authSecrets?: readonly string[];
  /** IPs put in XOR-RELAYED-ADDRESS instead of the relay IP, one per family at most. */
  externalIps?: readonly string[];
  /** Relay ports, within 1024–65535 (default 49152–65535). */
  relayPorts?: PortRange;
  /** Peer CIDRs allowed despite the deny-by-default policy; absent or empty: the default (see resolve). */
  allowPeers?: readonly string[];
  denyPeers?: readonly string[];
  /** `null`: no TLS listener; 0 picks a free port; default {@link STUNS_DEFAULT_PORT} (0 when the port is 0). */
  tlsPort?: number | null;
  /** PEM files of the TLS listener (both or neither; default: self-signed, generated at start). */
  tlsCertFile?: string | null;
  tlsKeyFile?: string | null;
  /** Seconds; absent ones are RFC 8656's ({@link RFC_LIFETIMES}); the maximum is raised to the default. */
  lifetimes?: Partial<TurnLifetimes>;
  nonceLifetimeS?: number;
  authLimit?: Partial<AuthLimitSettings>;
  allocateTimeoutS?: number;
  connectionsPerIp?: number;
  userQuota?: number;
  totalQuota?: number;
  /** Bytes per second per allocation, `null` for no cap (the default). */
  bandwidthBytesPerS?: number | null;
  /** `null`: no metrics endpoint (the default). */
  metricsPort?: number | null;
  metricsHost?: string;
  /** Alternate servers, `IP[:PORT]`, for 300 Try Alternate (`alternate.ts`); absent or empty: none. */
  alternateServers?: readonly string[];
  /** When to redirect: `always` (default, as coturn) or `full`. */
  alternateWhen?: string;
}

/** Validated TURN settings of `ice-doctor serve` and of the API, every default filled. */
export interface TurnSettings {
  /** Marks settings made by {@link resolveTurnSettings}: `startTurnServer` resolves anything else. */
  readonly resolved: true;
  realm: string;
  /** username → password, the generated user included (a `Map`: usernames are input). */
  users: Map<string, string>;
  /** The user generated because none was configured, with its password; `null` otherwise. */
  generatedUser: { username: string; password: string } | null;
  authSecrets: string[];
  /** One external IP per family at most. */
  externalIps: string[];
  relayPorts: PortRange;
  /** Peer allow-list (CIDRs); `allowPeersDefaulted` tells whether it is the loopback default. */
  allowPeers: string[];
  allowPeersDefaulted: boolean;
  denyPeers: string[];
  /** `null`: no TLS listener. 0 picks a free port. */
  tlsPort: number | null;
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
  lifetimes: TurnLifetimes;
  nonceLifetimeS: number;
  /** Brute-force limiting of failed authentications per client IP (`failureLimit` 0: off). */
  authLimit: AuthLimitSettings;
  /**
   * Seconds from a TCP or TLS connection's accept to its first allocation, after which a connection with
   * none is closed (default {@link DEFAULT_ALLOCATE_TIMEOUT_S}).
   */
  allocateTimeoutS: number;
  /**
   * Connections one client (an IPv4 address, an IPv6 /64) may hold at once over every listener of the
   * process, TURN and report page alike (default DEFAULT_CONNECTIONS_PER_IP).
   */
  connectionsPerIp: number;
  userQuota: number;
  totalQuota: number;
  /** Bytes per second per allocation, `null` for no cap. */
  bandwidthBytesPerS: number | null;
  /** `null`: no metrics endpoint. */
  metricsPort: number | null;
  metricsHost: string;
  /** Alternate servers and when Allocates are redirected to them (empty `servers`: never). */
  alternate: AlternateSettings;
  /** Warnings for the operator, one line each, e.g. a secret under {@link MIN_SECRET_BYTES} bytes. */
  warnings: string[];
}

/** True for a secret or password that is empty or only whitespace: no secret at all. */
export function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

/** True when every listening address is loopback (127.0.0.0/8 or ::1): the embedded, local-only default. */
export function allLoopback(listen: readonly string[]): boolean {
  return listen.every((a) => a.startsWith('127.') || a === '::1');
}

/**
 * Refuses credentials anyone could use: an empty or whitespace-only TURN REST secret or static password.
 * @throws SettingsError `authSecrets: …` or `users: …`.
 */
export function assertUsableCredentials(
  users: ReadonlyMap<string, string>,
  secrets: readonly string[],
): void {
  if (secrets.some(isBlank))
    throw new SettingsError(
      'authSecrets',
      'a secret is empty or only whitespace: anyone could mint credentials',
    );
  for (const [name, password] of users)
    if (isBlank(password))
      throw new SettingsError('users', `the password of '${name}' is empty or only whitespace`);
}

/** The warning for secrets shorter than {@link MIN_SECRET_BYTES} bytes, or none. */
export function shortSecretWarnings(secrets: readonly string[], source: string): string[] {
  const short = secrets.filter((s) => Buffer.byteLength(s, 'utf8') < MIN_SECRET_BYTES);
  if (short.length === 0) return [];
  const bytes = short.map((s) => Buffer.byteLength(s, 'utf8')).join(', ');
  return [
    `${source}: ${short.length === 1 ? 'a secret of' : 'secrets of'} ${bytes} bytes, shorter than ` +
      `${MIN_SECRET_BYTES}: one captured credential lets an attacker guess it offline; use a long random ` +
      'one, e.g. $(openssl rand -hex 32)',
  ];
}

/** `value` when it is a whole number within min–max, else a SettingsError naming `field`. */
function whole(field: string, value: number | undefined, fallback: number, min = 1, max = MAX_COUNT): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= min && value <= max))
    throw new SettingsError(field, `must be a whole number (${min}–${max}), got '${value}'`);
  return value;
}

/** A port 0–65535, `null` (off), or `fallback` when undefined. */
function portOrNull(field: string, value: number | null | undefined, fallback: number | null): number | null {
  if (value === null) return null;
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= 0 && value <= 65535))
    throw new SettingsError(field, `must be a port number (0–65535), got '${value}'`);
  return value;
}

/**
 * The external IPs: IP literals, at most one per family.
 * @throws SettingsError `externalIps: '…' is not an IP address` or `…: at most one IPv4 and one IPv6 address`.
 */
function externalIps(ips: readonly string[]): string[] {
  for (const ip of ips)
    if (isIP(ip) === 0) throw new SettingsError('externalIps', `'${ip}' is not an IP address`);
  if (new Set(ips.map(isIP)).size !== ips.length)
    throw new SettingsError('externalIps', 'at most one IPv4 and one IPv6 address');
  return [...ips];
}

function relayPorts(range: PortRange | undefined): PortRange {
  if (range === undefined) return { ...DEFAULT_RELAY_PORTS };
  const { min, max } = range;
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1024 && max <= 65535 && min <= max))
    throw new SettingsError('relayPorts', `${min}-${max} is not a range within 1024–65535`);
  return { min, max };
}

function lifetimes(given: Partial<TurnLifetimes>): TurnLifetimes {
  const allocationDefaultS = whole(
    'lifetimes.allocationDefaultS',
    given.allocationDefaultS,
    RFC_LIFETIMES.allocationDefaultS,
  );
  const resolved: TurnLifetimes = {
    allocationDefaultS,
    allocationMaxS: whole(
      'lifetimes.allocationMaxS',
      given.allocationMaxS,
      Math.max(RFC_LIFETIMES.allocationMaxS, allocationDefaultS),
    ),
    permissionS: whole('lifetimes.permissionS', given.permissionS, RFC_LIFETIMES.permissionS),
    channelS: whole('lifetimes.channelS', given.channelS, RFC_LIFETIMES.channelS),
  };
  if (resolved.allocationMaxS < resolved.allocationDefaultS)
    throw new SettingsError('lifetimes.allocationMaxS', 'must be at least lifetimes.allocationDefaultS');
  return resolved;
}

/**
 * Fills and checks TURN settings: the one place their defaults and security rules live, for the CLI (its
 * parsers in src/cli/config/ produce a {@link TurnSettingsInput}) and the API (`startTurnServer` calls it on
 * whatever it is given) alike.
 * - Without users and secrets a user {@link GENERATED_USER} with a random 16-character password is
 *   created: never anonymous relaying.
 * - Without `allowPeers`, loopback peers ({@link LOOPBACK_PEERS}) are allowed only when every listening
 *   address is loopback (`allowPeersDefaulted` true); otherwise the deny-by-default peer policy stands alone.
 * - Empty or whitespace-only secrets and passwords are refused; a secret shorter than
 *   {@link MIN_SECRET_BYTES} bytes is accepted with a line in `warnings` (naming `authSecrets`).
 * Settings already resolved (`resolved: true`) are returned as they are, after the credential check.
 * @param listen the listening addresses (default 127.0.0.1, 127.0.0.2 is the caller's), for the peer default.
 * @param portZero true when the STUN port is 0 (picked): the TLS port then defaults to 0 too.
 * @throws SettingsError naming the field (`realm`, `users`, `authSecrets`, `externalIps`, `relayPorts`,
 *   `allowPeers`/`denyPeers` (a bad CIDR, peer-policy.ts), `tlsCertFile`, `lifetimes.allocationMaxS`, `userQuota`, `alternateServers`, `alternateWhen` …) and the
 *   accepted values.
 */
export function resolveTurnSettings(
  input: TurnSettingsInput | TurnSettings,
  listen: readonly string[],
  portZero: boolean,
): TurnSettings {
  if ('resolved' in input && input.resolved === true) {
    assertUsableCredentials(input.users, input.authSecrets);
    return input;
  }
  const users = new Map(input.users instanceof Map ? input.users : Object.entries(input.users ?? {}));
  for (const name of users.keys())
    if (isBlank(name)) throw new SettingsError('users', 'a user name is empty or only whitespace');
  const authSecrets = [...(input.authSecrets ?? [])];
  assertUsableCredentials(users, authSecrets);
  const generatedUser =
    users.size === 0 && authSecrets.length === 0
      ? { username: GENERATED_USER, password: randomBytes(12).toString('base64url') }
      : null;
  if (generatedUser) users.set(generatedUser.username, generatedUser.password);
  const realm = input.realm ?? DEFAULT_REALM;
  if (realm.length === 0 || Buffer.byteLength(realm) > MAX_REALM_BYTES)
    throw new SettingsError(
      'realm',
      `must be 1–${MAX_REALM_BYTES} bytes (RFC 8489 §14.9), got ${Buffer.byteLength(realm)}`,
    );
  if ((input.tlsCertFile == null) !== (input.tlsKeyFile == null))
    throw new SettingsError('tlsCertFile', 'needs tlsKeyFile, and tlsKeyFile needs tlsCertFile');
  const allowPeers = input.allowPeers ?? [];
  const denyPeers = [...(input.denyPeers ?? [])];
  createPeerPolicy({ allow: allowPeers, deny: denyPeers });
  const loopback = allLoopback(listen);
  const allowGiven = allowPeers.length > 0;
  const limit = input.authLimit ?? {};
  return {
    resolved: true,
    realm,
    users,
    generatedUser,
    authSecrets,
    externalIps: externalIps(input.externalIps ?? []),
    relayPorts: relayPorts(input.relayPorts),
    allowPeers: allowGiven ? [...allowPeers] : loopback ? [...LOOPBACK_PEERS] : [],
    allowPeersDefaulted: !allowGiven && loopback,
    denyPeers,
    tlsPort: portOrNull('tlsPort', input.tlsPort, portZero ? 0 : STUNS_DEFAULT_PORT),
    tlsCertFile: input.tlsCertFile ?? null,
    tlsKeyFile: input.tlsKeyFile ?? null,
    lifetimes: lifetimes(input.lifetimes ?? {}),
    nonceLifetimeS: whole('nonceLifetimeS', input.nonceLifetimeS, DEFAULT_NONCE_LIFETIME_S),
    authLimit: {
      ...DEFAULT_AUTH_LIMIT,
      ...limit,
      failureLimit: whole('authLimit.failureLimit', limit.failureLimit, DEFAULT_AUTH_LIMIT.failureLimit, 0),
    },
    allocateTimeoutS: whole(
      'allocateTimeoutS',
      input.allocateTimeoutS,
      DEFAULT_ALLOCATE_TIMEOUT_S,
      1,
      MAX_ALLOCATE_TIMEOUT_S,
    ),
    connectionsPerIp: whole('connectionsPerIp', input.connectionsPerIp, DEFAULT_CONNECTIONS_PER_IP),
    userQuota: whole('userQuota', input.userQuota, DEFAULT_USER_QUOTA),
    totalQuota: whole('totalQuota', input.totalQuota, DEFAULT_TOTAL_QUOTA),
    bandwidthBytesPerS:
      input.bandwidthBytesPerS == null
        ? null
        : whole('bandwidthBytesPerS', input.bandwidthBytesPerS, 0, MIN_BANDWIDTH_BYTES_PER_S),
    metricsPort: portOrNull('metricsPort', input.metricsPort, null),
    metricsHost: input.metricsHost ?? DEFAULT_METRICS_HOST,
    alternate: alternateSettings(
      (input as TurnSettingsInput).alternateServers,
      (input as TurnSettingsInput).alternateWhen,
    ),
    warnings: shortSecretWarnings(authSecrets, 'authSecrets'),
  };
}
