import { readFileSync } from 'node:fs';
import { DEFAULT_PUBLIC_SERVERS } from '../../client/nat-probe/default-servers.js';
import { parseStunUrl } from '../../client/url/stun-url.js';
import { ConfigError } from '../../errors.js';
import { IceUrlError } from '../../shared/ice-url.js';
import { parsePositiveSeconds, parseWhole } from './flag-values.js';

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
 * (`client/nat-probe/default-servers.ts`).
 * @throws ConfigError from {@link readServersFile}, or naming `ICE_DOCTOR_STUN_SERVERS` when one of its URLs
 *   is not a STUN URL (the flag's URLs are checked where they are probed).
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
  if (!fromEnv || fromEnv.length === 0) return [...DEFAULT_PUBLIC_SERVERS];
  for (const url of fromEnv) {
    try {
      parseStunUrl(url);
    } catch (err) {
      throw err instanceof IceUrlError ? new ConfigError(`ICE_DOCTOR_STUN_SERVERS: ${err.message}`) : err;
    }
  }
  return fromEnv;
}
