import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { z } from 'zod';
import { parsePort } from '../../cli/config/flag-values.js';
import { ConfigError } from '../../errors.js';
import { MAX_SOFTWARE_BYTES } from './binding-responder.js';
import { DEFAULT_UDP_BUFFER_BYTES, MAX_UDP_BUFFER_BYTES, MIN_UDP_BUFFER_BYTES } from './udp-buffer.js';

/** The embedded default: two loopback IPs (Linux routes all of 127.0.0.0/8 to `lo`). */
export const DEFAULT_ADDRESSES: readonly string[] = ['127.0.0.1', '127.0.0.2'];
/** The IANA STUN port (RFC 8489 §18.5), the default primary port P1. */
export const DEFAULT_PORT = 3478;
/** Default SOFTWARE value (RFC 8489 §14.14). */
export const DEFAULT_SOFTWARE = 'ice-doctor';

const UNSPECIFIED = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

const ipLiteral = z
  .string({ message: 'not an IPv4 or IPv6 address' })
  .refine((s) => isIP(s) !== 0, { message: 'not an IPv4 or IPv6 address' })
  .refine((s) => !UNSPECIFIED.has(s), {
    message: 'a wildcard address cannot be a RESPONSE-ORIGIN; name one IP',
  });

/** A port number `min`–65535, with one message for every way to miss it (type, fraction, range). */
const portNumber = (min: number) => {
  const message = `must be a port number (${min}–65535)`;
  return z.number({ message }).int({ message }).min(min, { message }).max(65535, { message });
};

const UDP_BUFFER_RANGE = `a whole number of bytes from ${MIN_UDP_BUFFER_BYTES} to ${MAX_UDP_BUFFER_BYTES}, or 0 for the kernel default`;

const settingsSchema = z
  .object({
    addresses: z
      .array(ipLiteral, { message: 'must be a list of IP addresses' })
      .min(1, { message: 'needs one or two IP addresses' })
      .max(2, { message: 'takes one or two IP addresses per family (RFC 5780: a primary and an alternate)' })
      .default([...DEFAULT_ADDRESSES]),
    port: portNumber(0).default(DEFAULT_PORT),
    altPort: portNumber(1).optional(),
    tcp: z.boolean({ message: 'must be true or false' }).default(true),
    udpBufferBytes: z
      .number()
      .int()
      .refine((n) => n === 0 || (n >= MIN_UDP_BUFFER_BYTES && n <= MAX_UDP_BUFFER_BYTES), {
        message: `must be ${UDP_BUFFER_RANGE}`,
      })
      .default(DEFAULT_UDP_BUFFER_BYTES),
    software: z
      .string({ message: 'must be a string' })
      .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_SOFTWARE_BYTES, {
        message: `longer than ${MAX_SOFTWARE_BYTES} bytes`,
      })
      .default(DEFAULT_SOFTWARE),
  })
  .strict()
  .superRefine((o, ctx) => {
    const [a1, a2] = o.addresses;
    if (a1 !== undefined && a2 !== undefined) {
      if (a1 === a2)
        ctx.addIssue({ code: 'custom', path: ['addresses'], message: 'the two addresses must differ' });
      if (isIP(a1) !== isIP(a2)) {
        ctx.addIssue({
          code: 'custom',
          path: ['addresses'],
          message: 'the two addresses must be of one family',
        });
      }
    }
    if (o.port === 0 && o.altPort !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['altPort'],
        message: 'cannot be set when the port is 0 (picked)',
      });
    }
    if (o.port !== 0 && (o.altPort ?? o.port + 1) === o.port) {
      ctx.addIssue({ code: 'custom', path: ['altPort'], message: 'must differ from the port' });
    }
    if (o.port === 65535 && o.altPort === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['altPort'],
        message: 'port 65535 has no port+1; set the alt port',
      });
    }
  });

/**
 * Options of {@link startStunServer} as a caller writes them; every field is optional.
 * - `addresses`: 1 or 2 IP literals of one family (default 127.0.0.1, 127.0.0.2). A second address that
 *   cannot be bound (EADDRNOTAVAIL) is dropped and reported in `limitations`.
 * - `port`: primary port P1 (default 3478); 0 picks a free pair usable on both IPs, UDP and TCP.
 * - `altPort`: alternate port P2 (default port + 1; not allowed with port 0, where it is P1 + 1).
 * - `tcp`: also serve Binding over TCP on the same addresses and ports (default true).
 * - `udpBufferBytes`: receive buffer asked for each UDP socket, in bytes (default 4 MiB; 0 keeps the
 *   kernel default; the kernel may grant less, see udp-buffer.ts).
 * - `software`: SOFTWARE value, at most 128 UTF-8 bytes ('' for none).
 * - `logger`: pino logger; requests are logged at debug level (default: silent).
 */
export type StunServerOptions = z.input<typeof settingsSchema> & { logger?: Logger };

/** Validated options; `altPort` is `null` when picked with the primary port (port 0). */
export interface ResolvedStunServerOptions {
  addresses: string[];
  port: number;
  altPort: number | null;
  tcp: boolean;
  /** 0: the kernel default. */
  udpBufferBytes: number;
  software: string;
}

const FLAG_OF: Record<string, string> = {
  addresses: '--listen',
  port: '--port',
  altPort: '--alt-port',
  tcp: '--no-tcp',
  udpBufferBytes: '--udp-buffer-bytes',
  software: 'software',
};

/** The value an issue is about (an entry of a list, or the whole field), as text for the message. */
function valueAt(data: Record<string, unknown>, path: readonly PropertyKey[]): string {
  let value: unknown = data;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** One line naming the flag, the problem and the value given: `--port: must be a port number (0–65535), got '70000'`. */
function oneLine(error: z.ZodError, data: Record<string, unknown>): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid options';
  const field = String(issue.path[0] ?? '');
  const where = FLAG_OF[field] ?? (field || 'options');
  return `${where}: ${issue.message}, got '${valueAt(data, issue.path)}'`;
}

/**
 * Validates server options (the one place they are checked, for the API and the CLI alike).
 * @throws ConfigError with a one-line message naming the flag, the accepted values and the value given,
 *   e.g. `--port: must be a port number (0–65535), got '70000'`.
 */
export function parseStunServerOptions(input: unknown): ResolvedStunServerOptions {
  const { logger: _ignored, ...data } = (typeof input === 'object' && input !== null ? input : {}) as Record<
    string,
    unknown
  >;
  const parsed = settingsSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(oneLine(parsed.error, data));
  const o = parsed.data;
  return {
    addresses: o.addresses,
    port: o.port,
    altPort: o.port === 0 ? null : (o.altPort ?? o.port + 1),
    tcp: o.tcp,
    udpBufferBytes: o.udpBufferBytes,
    software: o.software,
  };
}

/** The raw flags of `ice-doctor serve` as commander hands them over. */
export interface ServeFlags {
  listen?: string;
  port?: string;
  altPort?: string;
  tcp?: boolean;
  udpBufferBytes?: string;
}

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
 * Listening addresses grouped by family, the first-named family first (each group is one RFC 5780 set);
 * a string that is not an IP stays in the first group, where validation names it.
 */
export function byFamily(addresses: readonly string[]): string[][] {
  const first = isIP(addresses[0] ?? '');
  const same = addresses.filter((a) => isIP(a) === first || isIP(a) === 0);
  const other = addresses.filter((a) => isIP(a) !== first && isIP(a) !== 0);
  return [same, other].filter((g) => g.length > 0);
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
  if (flags.listen === undefined) return parseStunServerOptions(common);
  const resolved = byFamily(flags.listen.split(',').map((s) => s.trim())).map((g) => {
    try {
      return parseStunServerOptions({ ...common, addresses: g });
    } catch (err) {
      const renamed = err instanceof ConfigError && err.message.replace(/^--listen:/, `${listenSource}:`);
      throw renamed ? new ConfigError(renamed) : err;
    }
  });
  return { ...resolved[0]!, addresses: resolved.flatMap((r) => r.addresses) };
}
