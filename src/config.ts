import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { DEFAULT_PUBLIC_SERVERS } from './stun-probe/default-servers.js';
import { parseStunUrl } from './stun-probe/url.js';

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
 * Reads a servers file (`--servers-file`): one `stun:`/`stuns:` URL per line; blank lines and `#` comments
 * (whole-line or trailing) are skipped.
 * @returns the URLs in file order.
 * @throws ConfigError naming `--servers-file` when the file cannot be read, holds no URL, or a line is not
 *   a STUN URL (with its line number).
 */
export function readServersFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`--servers-file ${path}: cannot read it (${code})`);
  }
  const urls: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const url = line.replace(/#.*/, '').trim();
    if (!url) return;
    try {
      parseStunUrl(url);
    } catch (err) {
      throw new ConfigError(`--servers-file ${path} line ${i + 1}: ${(err as Error).message}`);
    }
    urls.push(url);
  });
  if (urls.length === 0)
    throw new ConfigError(`--servers-file ${path}: no STUN URL in it (one stun:host[:port] per line)`);
  return urls;
}

/**
 * The public servers to probe: the URLs given on the command line (`--server` or positional) followed by
 * those of `--servers-file`, if any; else `ICE_DOCTOR_STUN_SERVERS` (comma-separated); else the defaults
 * (`stun-probe/default-servers.ts`).
 * @throws ConfigError from {@link readServersFile}.
 */
export function publicServers(
  fromFlag: string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
  serversFile?: string,
): string[] {
  const given = [...(fromFlag ?? []), ...(serversFile === undefined ? [] : readServersFile(serversFile))];
  if (given.length > 0) return given;
  const fromEnv = env.ICE_DOCTOR_STUN_SERVERS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return fromEnv && fromEnv.length > 0 ? fromEnv : [...DEFAULT_PUBLIC_SERVERS];
}
