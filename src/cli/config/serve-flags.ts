import { ConfigError, SettingsError } from '../../errors.js';
import {
  byFamily,
  parseStunServerOptions,
  type ResolvedStunServerOptions,
  UDP_BUFFER_RANGE,
} from '../../server/stun/options.js';
import { MAX_UDP_BUFFER_BYTES, MIN_UDP_BUFFER_BYTES } from '../../server/stun/udp-buffer.js';
import { parsePort } from './flag-values.js';

/** The STUN listener flags of `ice-doctor serve` as commander hands them over. */
export interface ServeFlags {
  listen?: string;
  port?: string;
  altPort?: string;
  tcp?: boolean;
  udpBufferBytes?: string;
}

/** The flag of each field of `StunServerOptions`, as the CLI's messages name it. */
const FLAG_OF: Record<string, string> = {
  addresses: '--listen',
  port: '--port',
  altPort: '--alt-port',
  tcp: '--no-tcp',
  udpBufferBytes: '--udp-buffer-bytes',
};

/**
 * Parses `--udp-buffer-bytes`: 0 (the kernel default) or a whole number of bytes within the accepted range.
 * @throws ConfigError naming the flag and the accepted values.
 */
function parseUdpBufferBytes(text: string): number {
  const digits = text.trim();
  const n = /^\d{1,15}$/.test(digits) ? Number(digits) : Number.NaN;
  if (!(n === 0 || (n >= MIN_UDP_BUFFER_BYTES && n <= MAX_UDP_BUFFER_BYTES)))
    throw new ConfigError(`--udp-buffer-bytes: must be ${UDP_BUFFER_RANGE}, got '${text}'`);
  return n;
}

/**
 * The server's validation ({@link parseStunServerOptions}) with its SettingsError said under the flag.
 * @param listenSource the name of the listen addresses (`--listen` or `ICE_DOCTOR_LISTEN`).
 * @throws ConfigError `--alt-port: must differ from the port, got '3478'`.
 */
function validate(options: Record<string, unknown>, listenSource: string): ResolvedStunServerOptions {
  try {
    return parseStunServerOptions(options);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    const flag = err.field === 'addresses' ? listenSource : (FLAG_OF[err.field] ?? err.field);
    throw new ConfigError(`${flag}: ${err.detail}`);
  }
}

/**
 * Turns `serve` flags into validated options: `--listen A1[,A2]` (up to two IPs per family, each family
 * validated as one RFC 5780 set), `--port N`, `--alt-port N`, `--no-tcp`, `--udp-buffer-bytes N`.
 * @param listenSource how the message names the listen addresses: `--listen`, or `ICE_DOCTOR_LISTEN` when
 *   they came from the environment.
 * @returns the options, with `addresses` holding every family's addresses, the first-named family first.
 * @throws ConfigError with a one-line message naming the flag.
 */
export function parseServeFlags(flags: ServeFlags, listenSource = '--listen'): ResolvedStunServerOptions {
  const common = {
    ...(flags.port !== undefined && { port: parsePort('--port', flags.port) }),
    ...(flags.altPort !== undefined && { altPort: parsePort('--alt-port', flags.altPort, 1) }),
    ...(flags.tcp !== undefined && { tcp: flags.tcp }),
    ...(flags.udpBufferBytes !== undefined && {
      udpBufferBytes: parseUdpBufferBytes(flags.udpBufferBytes),
    }),
  };
  if (flags.listen === undefined) return validate(common, listenSource);
  const resolved = byFamily(flags.listen.split(',').map((s) => s.trim())).map((g) =>
    validate({ ...common, addresses: g }, listenSource),
  );
  return { ...resolved[0]!, addresses: resolved.flatMap((r) => r.addresses) };
}
