import { ConfigError } from '../../errors.js';

/** An inclusive range of accepted whole numbers. */
export interface WholeRange {
  min: number;
  max: number;
}

/**
 * Parses a whole number given as decimal digits (surrounding spaces ignored) within `range`.
 * @param source what the value came from, as the message names it: a flag (`--user-quota`) or an
 *   environment variable (`ICE_DOCTOR_RELAY_PORTS`).
 * @param what the kind of value in the message, e.g. `a whole number of seconds`.
 * @throws ConfigError `--user-quota: must be a whole number (1–999999999), got 'lots'`.
 */
export function parseWhole(source: string, text: string, range: WholeRange, what = 'a whole number'): number {
  const digits = text.trim();
  const n = /^\d{1,15}$/.test(digits) ? Number(digits) : Number.NaN;
  if (!(n >= range.min && n <= range.max))
    throw new ConfigError(`${source}: must be ${what} (${range.min}–${range.max}), got '${text}'`);
  return n;
}

/**
 * Parses a UDP/TCP port number, `min`–65535 (0 picks a free port where the caller allows it).
 * @throws ConfigError `--port: must be a port number (0–65535), got '70000'`.
 */
export function parsePort(source: string, text: string, min = 0): number {
  return parseWhole(source, text, { min, max: 65535 }, 'a port number');
}

/**
 * Parses a duration in seconds that may have a fraction: more than 0 and at most `max`.
 * @throws ConfigError `--rest-ttl: must be a number of seconds (more than 0, at most 3600), got '0'`.
 */
export function parsePositiveSeconds(source: string, text: string, max: number): number {
  const trimmed = text.trim();
  const n = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(n > 0 && n <= max))
    throw new ConfigError(
      `${source}: must be a number of seconds (more than 0, at most ${max}), got '${text}'`,
    );
  return n;
}
