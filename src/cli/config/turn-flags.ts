import { ConfigError, SettingsError } from '../../errors.js';
import { RFC_LIFETIMES } from '../../server/turn/config.js';
import type { PortRange } from '../../server/turn/relay/ports.js';
import {
  isBlank,
  MAX_ALLOCATE_TIMEOUT_S,
  MAX_COUNT,
  MIN_BANDWIDTH_BYTES_PER_S,
  resolveTurnSettings,
  shortSecretWarnings,
  type TurnSettings,
  type TurnSettingsInput,
} from '../../server/turn/settings.js';
import { parsePort, parseWhole, type WholeRange } from './flag-values.js';

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
  alternateServer?: string[];
  alternateServerWhen?: string;
}

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
    bandwidth: count('--bandwidth', flags.bandwidth, { min: MIN_BANDWIDTH_BYTES_PER_S, max: MAX_COUNT }),
  };
}

/**
 * `--alternate-server` (else `ICE_DOCTOR_ALTERNATE_SERVER`, comma-separated) and `--alternate-server-when`
 * (else `ICE_DOCTOR_ALTERNATE_SERVER_WHEN`) as settings input, with the flag or variable each came from
 * (by settings field), so an error names what the user wrote.
 */
function alternateFlags(
  flags: TurnFlags,
  env: NodeJS.ProcessEnv,
): { input: Pick<TurnSettingsInput, 'alternateServers' | 'alternateWhen'>; sources: Record<string, string> } {
  const fromEnv = env.ICE_DOCTOR_ALTERNATE_SERVER?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const servers = flags.alternateServer ?? fromEnv;
  const when = flags.alternateServerWhen ?? env.ICE_DOCTOR_ALTERNATE_SERVER_WHEN;
  return {
    input: {
      ...(servers && { alternateServers: servers }),
      ...(when !== undefined && { alternateWhen: when }),
    },
    sources: {
      alternateServers: flags.alternateServer ? '--alternate-server' : 'ICE_DOCTOR_ALTERNATE_SERVER',
      alternateWhen:
        flags.alternateServerWhen !== undefined
          ? '--alternate-server-when'
          : 'ICE_DOCTOR_ALTERNATE_SERVER_WHEN',
    },
  };
}

/** The flag of each field of {@link TurnSettingsInput} whose SettingsError the flags can still cause. */
const FLAG_OF: Record<string, string> = {
  users: '--user',
  authSecrets: '--auth-secret',
  tlsCertFile: '--tls-cert',
  relayPorts: '--relay-ports',
  allowPeers: '--allow-peer',
  denyPeers: '--deny-peer',
};

/**
 * Turns the TURN flags of `serve` into {@link TurnSettings}, through the server's own resolution
 * (`resolveTurnSettings`, src/server/turn/settings.ts: defaults, the generated user, the loopback-peer
 * default). Environment variables fill flags that are not given: `ICE_DOCTOR_REALM`, `ICE_DOCTOR_AUTH_SECRET`
 * (comma-separated for rotation; set but empty is an error), `ICE_DOCTOR_EXTERNAL_IP`,
 * `ICE_DOCTOR_RELAY_PORTS`, `ICE_DOCTOR_ALTERNATE_SERVER` (comma-separated), `ICE_DOCTOR_ALTERNATE_SERVER_WHEN`.
 * @param listen the listening addresses, to decide the peer allow-list default.
 * @param portZero true when the STUN port is 0 (picked): the TLS port then defaults to 0 too.
 * @param env the environment (`process.env`); tests pass their own.
 * @returns the settings; `warnings` name the flag or variable (a secret shorter than 16 bytes).
 * @throws ConfigError with a one-line message naming the flag (or the environment variable) and the
 *   accepted values: the server's SettingsError is said again under the flag.
 */
export function parseTurnFlags(
  flags: TurnFlags,
  listen: readonly string[],
  portZero: boolean,
  env: NodeJS.ProcessEnv = process.env,
): TurnSettings {
  const f = parseNumbers(flags);
  const { secrets: authSecrets, source: secretSource } = parseSecrets(flags.authSecret, env);
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw new ConfigError('--tls-cert and --tls-key go together');
  if (
    f.maxAllocationLifetime !== undefined &&
    f.maxAllocationLifetime < (f.allocationLifetime ?? RFC_LIFETIMES.allocationDefaultS)
  )
    throw new ConfigError('--max-allocation-lifetime: must be at least --allocation-lifetime');
  const realmSource = flags.realm === undefined ? 'ICE_DOCTOR_REALM' : '--realm';
  const ipSource = flags.externalIp === undefined ? 'ICE_DOCTOR_EXTERNAL_IP' : '--external-ip';
  const relaySource = flags.relayPorts === undefined ? 'ICE_DOCTOR_RELAY_PORTS' : '--relay-ports';
  const realm = flags.realm ?? env.ICE_DOCTOR_REALM;
  const ips = flags.externalIp ?? env.ICE_DOCTOR_EXTERNAL_IP;
  const relayText = flags.relayPorts ?? env.ICE_DOCTOR_RELAY_PORTS;
  const alternate = alternateFlags(flags, env);
  const input: TurnSettingsInput = {
    ...(realm !== undefined && { realm }),
    users: parseUsers(flags.user ?? []),
    authSecrets,
    ...(ips && { externalIps: ips.split(',').map((s) => s.trim()) }),
    ...(relayText && { relayPorts: parseRange(relaySource, relayText) }),
    ...(flags.allowPeer && { allowPeers: flags.allowPeer }),
    ...(flags.denyPeer && { denyPeers: flags.denyPeer }),
    ...(flags.tls === false ? { tlsPort: null } : f.tlsPort !== undefined && { tlsPort: f.tlsPort }),
    ...(flags.tlsCert !== undefined && { tlsCertFile: flags.tlsCert, tlsKeyFile: flags.tlsKey ?? null }),
    lifetimes: {
      ...(f.allocationLifetime !== undefined && { allocationDefaultS: f.allocationLifetime }),
      ...(f.maxAllocationLifetime !== undefined && { allocationMaxS: f.maxAllocationLifetime }),
      ...(f.permissionLifetime !== undefined && { permissionS: f.permissionLifetime }),
      ...(f.channelLifetime !== undefined && { channelS: f.channelLifetime }),
    },
    ...(f.nonceLifetime !== undefined && { nonceLifetimeS: f.nonceLifetime }),
    authLimit: {
      ...(f.authFailureLimit !== undefined && { failureLimit: f.authFailureLimit }),
      ...(f.authBlock !== undefined && { blockMs: f.authBlock * 1000 }),
    },
    ...(f.allocateTimeout !== undefined && { allocateTimeoutS: f.allocateTimeout }),
    ...(f.connectionsPerIp !== undefined && { connectionsPerIp: f.connectionsPerIp }),
    ...(f.userQuota !== undefined && { userQuota: f.userQuota }),
    ...(f.totalQuota !== undefined && { totalQuota: f.totalQuota }),
    ...(f.bandwidth !== undefined && { bandwidthBytesPerS: f.bandwidth }),
    ...(f.metricsPort !== undefined && { metricsPort: f.metricsPort }),
    ...(flags.metricsHost !== undefined && { metricsHost: flags.metricsHost }),
    ...alternate.input,
  };
  try {
    const settings = resolveTurnSettings(input, listen, portZero);
    return { ...settings, warnings: shortSecretWarnings(authSecrets, secretSource) };
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    const source =
      err.field === 'realm'
        ? realmSource
        : err.field === 'externalIps'
          ? ipSource
          : (alternate.sources[err.field] ?? FLAG_OF[err.field] ?? err.field);
    throw new ConfigError(`${source}: ${err.detail}`);
  }
}
