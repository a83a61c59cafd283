import { ConfigError } from '../../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration flag in ms: a whole number and a unit `s`, `m`, `h` or `d` (`90s`, `30m`, `12h`, `7d`).
 * @param flag the flag the text came from, e.g. `--expires`, for the error.
 * @throws ConfigError `--expires: use a number and a unit s, m, h or d (e.g. 7d), got 'x'`.
 */
export function parseDuration(text: string, flag: string): number {
  const m = /^\s*(\d{1,9})\s*([smhd])\s*$/.exec(text);
  if (!m) throw new ConfigError(`${flag}: use a number and a unit s, m, h or d (e.g. 7d), got '${text}'`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}
