import { ConfigError } from './errors.js';
import { parsePositiveSeconds, parseWhole } from './flag-values.js';
import { parseStunUrl } from './stun-probe/url.js';

/**
 * Well-known public STUN servers probed by default: one that serves RFC 5780 (stuntman's), and two plain
 * ones for the "mapping varies by destination" comparison. Override with `--server` or
 * `ICE_DOCTOR_STUN_SERVERS` (comma-separated URLs).
 */
export const DEFAULT_PUBLIC_SERVERS = [
  'stun:stun.stunprotocol.org:3478',
  'stun:stun.l.google.com:19302',
  'stun:stun.cloudflare.com:3478',
];

/** Longest accepted `--timeout`, in ms (10 minutes). */
const MAX_MS = 600_000;
/** Longest accepted duration in seconds (`--max-lifetime`, `--rest-ttl`): one hour. */
const MAX_SECONDS = 3600;

/**
 * Parses a duration flag in ms (`--timeout`).
 * @throws ConfigError naming the flag when the value is not a whole number 1–600000.
 */
export function parseMs(flag: string, value: string): number {
  return parseWhole(flag, value, { min: 1, max: MAX_MS }, 'a whole number of milliseconds');
}

/**
 * Parses a duration flag in seconds (`--max-lifetime`, `--rest-ttl`); a fraction is allowed.
 * @throws ConfigError naming the flag when the value is not a number more than 0 and at most 3600.
 */
export function parseSeconds(flag: string, value: string): number {
  return parsePositiveSeconds(flag, value, MAX_SECONDS);
}

/**
 * The public servers to probe: the flag's list if given, else `ICE_DOCTOR_STUN_SERVERS`, else the defaults.
 * @throws ConfigError naming `ICE_DOCTOR_STUN_SERVERS` when one of its URLs is not a STUN URL (the flag's
 *   URLs are checked where they are probed).
 */
export function publicServers(
  fromFlag: string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (fromFlag && fromFlag.length > 0) return fromFlag;
  const fromEnv = env.ICE_DOCTOR_STUN_SERVERS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!fromEnv || fromEnv.length === 0) return DEFAULT_PUBLIC_SERVERS;
  for (const url of fromEnv) {
    try {
      parseStunUrl(url);
    } catch (err) {
      throw err instanceof ConfigError ? new ConfigError(`ICE_DOCTOR_STUN_SERVERS: ${err.message}`) : err;
    }
  }
  return fromEnv;
}
