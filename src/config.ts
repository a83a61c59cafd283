import { z } from 'zod';
import { ConfigError } from './errors.js';

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

const msSchema = z.coerce.number().int().positive().max(600_000);
const secondsSchema = z.coerce.number().positive().max(3600);

/**
 * Parses a duration flag in ms (`--timeout`).
 * @throws ConfigError naming the flag when the value is not a positive integer ≤ 600000.
 */
export function parseMs(flag: string, value: unknown): number {
  const r = msSchema.safeParse(value);
  if (!r.success)
    throw new ConfigError(
      `${flag} must be a whole number of milliseconds (1–600000), got "${String(value)}"`,
    );
  return r.data;
}

/**
 * Parses a duration flag in seconds (`--max-lifetime`).
 * @throws ConfigError naming the flag when the value is not a positive number ≤ 3600.
 */
export function parseSeconds(flag: string, value: unknown): number {
  const r = secondsSchema.safeParse(value);
  if (!r.success)
    throw new ConfigError(`${flag} must be a number of seconds (0–3600), got "${String(value)}"`);
  return r.data;
}

/**
 * The public servers to probe: the flag's list if given, else `ICE_DOCTOR_STUN_SERVERS`, else the defaults.
 */
export function publicServers(
  fromFlag: string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (fromFlag && fromFlag.length > 0) return fromFlag;
  const fromEnv = env.ICE_DOCTOR_STUN_SERVERS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return fromEnv && fromEnv.length > 0 ? fromEnv : DEFAULT_PUBLIC_SERVERS;
}
