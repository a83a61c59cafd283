import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { ConfigError } from '../../errors.js';
import { DEFAULT_CONNECTIONS_PER_IP } from '../../net/connection-budget.js';
import { type AuthLimitSettings, DEFAULT_AUTH_LIMIT } from '../../server/turn/auth/limiter.js';
import { RFC_LIFETIMES, type TurnLifetimes } from '../../server/turn/config.js';
import { DEFAULT_RELAY_PORTS, type PortRange } from '../../server/turn/relay/ports.js';
import { parsePort, parseWhole, type WholeRange } from './flag-values.js';

/** The IANA port of STUN/TURN over TLS (RFC 8489 §18.5, `turns:`). */
export const DEFAULT_TLS_PORT = 5349;
/** Default realm (RFC 8489 §14.9). */
export const DEFAULT_REALM = 'ice-doctor';
/** Username of the user generated when none is configured (its password is random and printed). */
export const GENERATED_USER = 'ice-doctor';
/** Default quotas: allocations per user and in total (coturn's default is unlimited; these are generous but finite). */
export const DEFAULT_USER_QUOTA = 100;
export const DEFAULT_TOTAL_QUOTA = 2000;
/** Seconds a nonce is valid (coturn's default). */
export const DEFAULT_NONCE_LIFETIME_S = 600;
/** Seconds a TCP or TLS connection may stay open without an allocation (coturn's max-allocate-timeout). */
export const DEFAULT_ALLOCATE_TIMEOUT_S = 60;
/** Longest `--allocate-timeout`, in seconds. */
export const MAX_ALLOCATE_TIMEOUT_S = 3600;
/** Shortest TURN REST secret that starts without a warning, in bytes (coturn's docs ask for a long random one). */
export const MIN_SECRET_BYTES = 16;
/** Peers the embedded default (every listening address on loopback) allows, and says so. */
export const LOOPBACK_PEERS: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** Validated TURN settings of `ice-doctor serve` and of the API. */
export interface TurnSettings {
  realm: string;
  /** username → password, from `--user u:p` (a `Map`: usernames are input). */
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
   * none is closed (`--allocate-timeout`, default {@link DEFAULT_ALLOCATE_TIMEOUT_S}).
   */
  allocateTimeoutS: number;
  /**
   * Connections one client (an IPv4 address, an IPv6 /64) may hold at once over every listener of the
   * process, TURN and report page alike (`--max-connections-per-ip`, default DEFAULT_CONNECTIONS_PER_IP).
   */
  connectionsPerIp: number;
  userQuota: number;
  totalQuota: number;
  /** Bytes per second per allocation, `null` for no cap. */
  bandwidthBytesPerS: number | null;
  /** `null`: no metrics endpoint. */
  metricsPort: number | null;
  metricsHost: string;
  /** Warnings for the operator (one line each, naming the flag), e.g. a secret under {@link MIN_SECRET_BYTES}. */
  warnings: string[];
}

/** The TURN flags of `ice-doctor serve`, as commander hands them over (strings, repeatable ones as arrays). */
export interface TurnFlags {
  realm?: string;
  user?: string[];
  authSecret?: string[];
  externalIp?: string;
  relayPorts?: string;
  allowPeer?: string[];
  denyPeer?: string[];
  tlsPort?: string;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  allocationLifetime?: string;
  maxAllocationLifetime?: string;
  permissionLifetime?: string;
  channelLifetime?: string;
  nonceLifetime?: string;
  authFailureLimit?: string;
  authBlock?: string;
  allocateTimeout?: string;
  maxConnectionsPerIp?: string;
  userQuota?: string;
  totalQuota?: string;
  bandwidth?: string;
  metricsPort?: string;
  metricsHost?: string;
}

/** The largest count a flag takes (nine digits). */
const MAX_COUNT = 999_999_999;

/** A whole-number flag within `range` (`min`–{@link MAX_COUNT} unless narrowed), or undefined when not given. */
const count = (flag: string, text: string | undefined, range: WholeRange = { min: 1, max: MAX_COUNT }) =>
  text === undefined ? undefined : parseWhole(flag, text, range);

function parseRange(source: string, text: string): PortRange {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min < 1024 || max > 65535 || min > max)
    throw new ConfigError(`${source}: '${text}' is not a range like 49160-49200 within 1024–65535`);
  return { min, max };
}

/** True for a secret or password that is empty or only whitespace: no secret at all. */
export function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

function parseUsers(entries: string[]): Map<string, string> {
  const users = new Map<string, string>();
  for (const e of entries) {
    const colon = e.indexOf(':');
    if (colon < 1 || colon === e.length - 1)
      throw new ConfigError(`--user: '${e.split(':')[0]}' needs the form name:password`);
    const [name, password] = [e.slice(0, colon), e.slice(colon + 1)];
    if (isBlank(name)) throw new ConfigError('--user: the name before the colon is only whitespace');
    if (isBlank(password))
      throw new ConfigError(
        `--user: the password of '${name}' is only whitespace (an unset shell variable?)`,
      );
    users.set(name, password);
  }
  return users;
}

/**
 * The TURN REST secrets: `--auth-secret` values, or else `ICE_DOCTOR_AUTH_SECRET` split at commas (a set
 * variable counts even when empty: an empty secret would let anyone mint credentials).
 * @throws ConfigError naming the flag or variable for an empty or whitespace-only secret.
 */
function parseSecrets(
  flag: string[] | undefined,
  env: NodeJS.ProcessEnv,
): { secrets: string[]; source: string } {
  const given = flag !== undefined && flag.length > 0;
  const source = given ? '--auth-secret' : 'ICE_DOCTOR_AUTH_SECRET';
  const secrets = given
    ? flag
    : env.ICE_DOCTOR_AUTH_SECRET === undefined
      ? []
      : env.ICE_DOCTOR_AUTH_SECRET.split(',');
  if (secrets.some(isBlank))
    throw new ConfigError(
      `${source}: a secret is empty or only whitespace (an unset shell variable?): anyone could mint ` +
        'credentials with it; use a long random one, e.g. $(openssl rand -hex 32)',
    );
  return { secrets, source };
}

/** The warning for secrets shorter than {@link MIN_SECRET_BYTES}, or none. */
function shortSecretWarnings(secrets: readonly string[], source: string): string[] {
  const short = secrets.filter((s) => Buffer.byteLength(s, 'utf8') < MIN_SECRET_BYTES);
  if (short.length === 0) return [];
  const bytes = short.map((s) => Buffer.byteLength(s, 'utf8')).join(', ');
  return [
    `${source}: ${short.length === 1 ? 'a secret of' : 'secrets of'} ${bytes} bytes, shorter than ` +
      `${MIN_SECRET_BYTES}: one captured credential lets an attacker guess it offline; use a long random ` +
      'one, e.g. $(openssl rand -hex 32)',
  ];
}

/**
 * Refuses settings whose credentials anyone could use: an empty or whitespace-only TURN REST secret or
 * static password (the API's check; the CLI's parsing names the flag first).
 * @throws ConfigError `turn.authSecrets: …` or `turn.users: …`.
 */
export function assertUsableCredentials(
  users: ReadonlyMap<string, string>,
  secrets: readonly string[],
): void {
  if (secrets.some(isBlank))
    throw new ConfigError(
      'turn.authSecrets: a secret is empty or only whitespace: anyone could mint credentials',
    );
  for (const [name, password] of users)
    if (isBlank(password))
      throw new ConfigError(`turn.users: the password of '${name}' is empty or only whitespace`);
}

function parseIps(flag: string, text: string | undefined): string[] {
  if (!text) return [];
  const ips = text.split(',').map((s) => s.trim());
  for (const ip of ips) if (isIP(ip) === 0) throw new ConfigError(`${flag}: '${ip}' is not an IP address`);
  if (new Set(ips.map(isIP)).size !== ips.length)
    throw new ConfigError(`${flag}: at most one IPv4 and one IPv6 address`);
  return ips;
}

/** The numeric flags, validated: each undefined when not given. */
function parseNumbers(flags: TurnFlags) {
  return {
    tlsPort: flags.tlsPort === undefined ? undefined : parsePort('--tls-port', flags.tlsPort),
    metricsPort: flags.metricsPort === undefined ? undefined : parsePort('--metrics-port', flags.metricsPort),
    allocationLifetime: count('--allocation-lifetime', flags.allocationLifetime),
    maxAllocationLifetime: count('--max-allocation-lifetime', flags.maxAllocationLifetime),
    permissionLifetime: count('--permission-lifetime', flags.permissionLifetime),
    channelLifetime: count('--channel-lifetime', flags.channelLifetime),
    nonceLifetime: count('--nonce-lifetime', flags.nonceLifetime),
    authFailureLimit: count('--auth-failure-limit', flags.authFailureLimit, { min: 0, max: MAX_COUNT }),
    authBlock: count('--auth-block', flags.authBlock),
    allocateTimeout: count('--allocate-timeout', flags.allocateTimeout, {
      min: 1,
      max: MAX_ALLOCATE_TIMEOUT_S,
    }),
    connectionsPerIp: count('--max-connections-per-ip', flags.maxConnectionsPerIp),
    userQuota: count('--user-quota', flags.userQuota),
    totalQuota: count('--total-quota', flags.totalQuota),
    bandwidth: count('--bandwidth', flags.bandwidth, { min: 1000, max: MAX_COUNT }),
  };
}

/**
 * Turns the TURN flags of `serve` into {@link TurnSettings}. Environment variables fill flags that are not
 * given: `ICE_DOCTOR_REALM`, `ICE_DOCTOR_AUTH_SECRET` (comma-separated for rotation; set but empty is an error),
 * `ICE_DOCTOR_EXTERNAL_IP`, `ICE_DOCTOR_RELAY_PORTS`. Without `--user` and `--auth-secret` a user
 * {@link GENERATED_USER} with a random password is created (no anonymous relaying, ever). Without
 * `--allow-peer`, loopback peers are allowed only when every listening address is loopback (the embedded
 * default); otherwise the deny-by-default peer policy stands alone.
 * @param listen the listening addresses, to decide the peer allow-list default.
 * @param portZero true when the STUN port is 0 (picked): the TLS port then defaults to 0 too.
 * Empty or whitespace-only secrets and passwords are refused (anyone could use them); a secret shorter than
 * {@link MIN_SECRET_BYTES} bytes is accepted with a line in `warnings`.
 * @throws ConfigError with a one-line message naming the flag (or the environment variable) and the
 *   accepted values.
 */
export function parseTurnFlags(
  flags: TurnFlags,
  listen: readonly string[],
  portZero: boolean,
  env: NodeJS.ProcessEnv = process.env,
): TurnSettings {
  const f = parseNumbers(flags);
  const users = parseUsers(flags.user ?? []);
  const { secrets: authSecrets, source: secretSource } = parseSecrets(flags.authSecret, env);
  const generatedUser =
    users.size === 0 && authSecrets.length === 0
      ? { username: GENERATED_USER, password: randomBytes(12).toString('base64url') }
      : null;
  if (generatedUser) users.set(generatedUser.username, generatedUser.password);
  const realm = flags.realm ?? env.ICE_DOCTOR_REALM ?? DEFAULT_REALM;
  if (realm.length === 0 || Buffer.byteLength(realm) > 763)
    throw new ConfigError(
      `${flags.realm === undefined ? 'ICE_DOCTOR_REALM' : '--realm'}: must be 1–763 bytes (RFC 8489 §14.9), got ${Buffer.byteLength(realm)}`,
    );
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw new ConfigError('--tls-cert and --tls-key go together');
  const allLoopback = listen.every((a) => a.startsWith('127.') || a === '::1');
  const allowGiven = (flags.allowPeer?.length ?? 0) > 0;
  const lifetimes: TurnLifetimes = {
    allocationDefaultS: f.allocationLifetime ?? RFC_LIFETIMES.allocationDefaultS,
    allocationMaxS:
      f.maxAllocationLifetime ?? Math.max(RFC_LIFETIMES.allocationMaxS, f.allocationLifetime ?? 0),
    permissionS: f.permissionLifetime ?? RFC_LIFETIMES.permissionS,
    channelS: f.channelLifetime ?? RFC_LIFETIMES.channelS,
  };
  if (lifetimes.allocationMaxS < lifetimes.allocationDefaultS)
    throw new ConfigError('--max-allocation-lifetime: must be at least --allocation-lifetime');
  const relaySource = flags.relayPorts === undefined ? 'ICE_DOCTOR_RELAY_PORTS' : '--relay-ports';
  const relayText = flags.relayPorts ?? env.ICE_DOCTOR_RELAY_PORTS;
  return {
    realm,
    users,
    generatedUser,
    authSecrets,
    externalIps: parseIps(
      flags.externalIp === undefined ? 'ICE_DOCTOR_EXTERNAL_IP' : '--external-ip',
      flags.externalIp ?? env.ICE_DOCTOR_EXTERNAL_IP,
    ),
    relayPorts: relayText ? parseRange(relaySource, relayText) : { ...DEFAULT_RELAY_PORTS },
    allowPeers: allowGiven ? flags.allowPeer! : allLoopback ? [...LOOPBACK_PEERS] : [],
    allowPeersDefaulted: !allowGiven && allLoopback,
    denyPeers: flags.denyPeer ?? [],
    tlsPort: flags.tls === false ? null : (f.tlsPort ?? (portZero ? 0 : DEFAULT_TLS_PORT)),
    tlsCertFile: flags.tlsCert ?? null,
    tlsKeyFile: flags.tlsKey ?? null,
    lifetimes,
    nonceLifetimeS: f.nonceLifetime ?? DEFAULT_NONCE_LIFETIME_S,
    authLimit: {
      ...DEFAULT_AUTH_LIMIT,
      failureLimit: f.authFailureLimit ?? DEFAULT_AUTH_LIMIT.failureLimit,
      blockMs: f.authBlock === undefined ? DEFAULT_AUTH_LIMIT.blockMs : f.authBlock * 1000,
    },
    allocateTimeoutS: f.allocateTimeout ?? DEFAULT_ALLOCATE_TIMEOUT_S,
    connectionsPerIp: f.connectionsPerIp ?? DEFAULT_CONNECTIONS_PER_IP,
    userQuota: f.userQuota ?? DEFAULT_USER_QUOTA,
    totalQuota: f.totalQuota ?? DEFAULT_TOTAL_QUOTA,
    bandwidthBytesPerS: f.bandwidth ?? null,
    metricsPort: f.metricsPort ?? null,
    metricsHost: flags.metricsHost ?? '127.0.0.1',
    warnings: shortSecretWarnings(authSecrets, secretSource),
  };
}
