import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { z } from 'zod';
import { SettingsError } from '../../errors.js';
import { STUN_DEFAULT_PORT } from '../../shared/ice-url.js';
import { MAX_SOFTWARE_BYTES } from './binding-responder.js';
import { DEFAULT_UDP_BUFFER_BYTES, MAX_UDP_BUFFER_BYTES, MIN_UDP_BUFFER_BYTES } from './udp-buffer.js';

/** The embedded default: two loopback IPs (Linux routes all of 127.0.0.0/8 to `lo`). */
export const DEFAULT_ADDRESSES: readonly string[] = ['127.0.0.1', '127.0.0.2'];
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

/** The accepted UDP receive buffer sizes, as messages state them. */
export const UDP_BUFFER_RANGE = `a whole number of bytes from ${MIN_UDP_BUFFER_BYTES} to ${MAX_UDP_BUFFER_BYTES}, or 0 for the kernel default`;

const settingsSchema = z
  .object({
    addresses: z
      .array(ipLiteral, { message: 'must be a list of IP addresses' })
      .min(1, { message: 'needs one or two IP addresses' })
      .max(2, { message: 'takes one or two IP addresses per family (RFC 5780: a primary and an alternate)' })
      .default([...DEFAULT_ADDRESSES]),
    port: portNumber(0).default(STUN_DEFAULT_PORT),
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

/** The value an issue is about (an entry of a list, or the whole field), as text for the message. */
function valueAt(data: Record<string, unknown>, path: readonly PropertyKey[]): string {
  let value: unknown = data;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The first issue as a {@link SettingsError}: `port: must be a port number (0–65535), got '70000'`. */
function settingsError(error: z.ZodError, data: Record<string, unknown>): SettingsError {
  const issue = error.issues[0];
  if (!issue) return new SettingsError('options', 'invalid');
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  if (keys.length > 0) return new SettingsError(keys[0]!, 'not a STUN server option');
  return new SettingsError(
    String(issue.path[0] ?? 'options'),
    `${issue.message}, got '${valueAt(data, issue.path)}'`,
  );
}

/**
 * Validates server options (the one place they are checked, for the API and the CLI alike: the CLI's
 * `serve-flags.ts` hands its parsed flags here).
 * @throws SettingsError naming the field, the accepted values and the value given, e.g.
 *   `port: must be a port number (0–65535), got '70000'` (`field` 'port'); an unknown option is refused.
 */
export function parseStunServerOptions(input: unknown): ResolvedStunServerOptions {
  const { logger: _ignored, ...data } = (typeof input === 'object' && input !== null ? input : {}) as Record<
    string,
    unknown
  >;
  const parsed = settingsSchema.safeParse(data);
  if (!parsed.success) throw settingsError(parsed.error, data);
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
