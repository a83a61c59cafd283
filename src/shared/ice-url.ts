import { hostPort, isIPv6 } from './address-text.js';

/**
 * The one parser of ICE server URLs — `stun:`/`stuns:` (RFC 7064 §3.1) and `turn:`/`turns:` (RFC 7065 §3.1)
 * with `?transport=udp|tcp` — for the CLI, the clients and the report page alike (browser-safe). It reads
 * the grammar and reports what it found; each caller keeps its own policy on top (which schemes, whether a
 * `user@` or another query parameter is tolerated, what `turn:` without `?transport=` means) and its own
 * error text.
 */

/** Default port of `stun:` and `turn:` over UDP and TCP (RFC 8489 §18.5, RFC 7064 §3.1, RFC 8656 §4). */
export const STUN_DEFAULT_PORT = 3478;
/** Default port of `stuns:` and `turns:`, STUN/TURN over TLS (RFC 8489 §18.5, RFC 7065 §3.1, RFC 8656 §4). */
export const STUNS_DEFAULT_PORT = 5349;

/** The four ICE server URL schemes, lower-cased (schemes are case-insensitive, RFC 3986 §3.1). */
export type IceScheme = 'stun' | 'stuns' | 'turn' | 'turns';
/** How a client reaches a STUN/TURN server: UDP, TCP, or TLS over TCP. */
export type Transport = 'udp' | 'tcp' | 'tls';

/** What an ICE server URL says, as written; policy (e.g. the transports it means) is the caller's. */
export interface IceUrl {
  scheme: IceScheme;
  /** True for `stuns:`/`turns:` (TLS). */
  secure: boolean;
  /** Host name as written (case kept), or IP literal (IPv6 without its brackets). */
  host: string;
  /** The port, 1–65535: as written, else {@link STUN_DEFAULT_PORT} or {@link STUNS_DEFAULT_PORT}. */
  port: number;
  /** True when the URL names no port and {@link port} is the scheme's default. */
  defaultPortApplied: boolean;
  /** The `?transport=` value lower-cased (RFC 7065 §3.1 `transport-ext`), undefined when there is none. */
  transport: 'udp' | 'tcp' | undefined;
  /** True when a `user@` part came before the host (outside RFC 7064/7065; its text is not kept). */
  userinfo: boolean;
  /** True when the query holds anything besides one `transport=` parameter (outside RFC 7064/7065). */
  extraQuery: boolean;
}

/**
 * Why a text is not an ICE server URL: `scheme` (no `stun:`/`stuns:`/`turn:`/`turns:`), `syntax` (the rest
 * is not `[//][user@]host[:port][?query]`: empty host, a path, a port that is not digits …), `host` (a
 * bracketed literal that is not IPv6), `port` (digits outside 1–65535), `transport` (`?transport=` other
 * than udp or tcp). Callers' policies add their own refusals under the same codes.
 */
export type IceUrlErrorCode = 'scheme' | 'syntax' | 'host' | 'port' | 'transport';

/** A failed parse: the reason, a one-line message, and the offending part of the URL. */
export interface IceUrlProblem {
  code: IceUrlErrorCode;
  /** One line, e.g. `port 0 is outside 1–65535`. */
  message: string;
  /** The part at fault as written (the port digits, the transport value, the host …). */
  part: string;
}

/** The result of {@link parseIceServerUrl}. */
export type IceUrlParse = { ok: true; url: IceUrl } | ({ ok: false } & IceUrlProblem);

/**
 * An ICE server URL that a caller refuses (thrown by the clients' URL policies, `client/url/`): the message
 * is the caller's one line; the CLI shows it as a configuration error (exit 2).
 */
export class IceUrlError extends Error {
  override name = 'IceUrlError';
  /**
   * @param code why (see {@link IceUrlErrorCode}).
   * @param message one-line explanation naming the URL.
   */
  constructor(
    readonly code: IceUrlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const SCHEME = /^(stuns?|turns?):/i;
/** `host[:port]`: a bracketed literal or a name without `: / ? @ [ ]`, then digits. */
const HOST_PORT = /^(?:\[([^\]]*)\]|([^:/?@[\]]+))(?::(\d+))?$/;

function problem(code: IceUrlErrorCode, message: string, part: string): IceUrlParse {
  return { ok: false, code, message, part };
}

/** The `?transport=` value of a query (the last one if repeated) and whether anything else is in it. */
function readQuery(query: string | undefined): { transport: string | undefined; extra: boolean } {
  if (query === undefined) return { transport: undefined, extra: false };
  let transport: string | undefined;
  let count = 0;
  let extra = false;
  for (const param of query.split('&')) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).toLowerCase() !== 'transport') extra = true;
    else {
      transport = param.slice(eq + 1);
      count += 1;
    }
  }
  return { transport, extra: extra || count > 1 };
}

/**
 * Parses an ICE server URL: `scheme:[//][user@]host[:port][?transport=udp|tcp]`, the scheme
 * case-insensitive, an IPv6 host in brackets (`turn:[2001:db8::1]:3478`), a port 1–65535 or the scheme's
 * default (3478, or 5349 for `stuns:`/`turns:`). The `//` and `user@` (outside RFC 7064/7065) are
 * tolerated, as are other query parameters: the result says so ({@link IceUrl.userinfo},
 * {@link IceUrl.extraQuery}) for the caller to refuse. Surrounding whitespace is ignored.
 * @returns `{ ok: true, url }`, or `{ ok: false, code, message, part }`; never throws.
 */
export function parseIceServerUrl(text: string): IceUrlParse {
  const input = text.trim();
  const scheme = SCHEME.exec(input)?.[1]?.toLowerCase() as IceScheme | undefined;
  if (scheme === undefined) return problem('scheme', 'not a stun:, stuns:, turn: or turns: URL', input);
  let rest = input.slice(scheme.length + 1).replace(/^\/\//, '');
  const q = rest.indexOf('?');
  const { transport, extra } = readQuery(q < 0 ? undefined : rest.slice(q + 1));
  if (q >= 0) rest = rest.slice(0, q);
  const at = rest.indexOf('@');
  const authority = at < 0 ? rest : rest.slice(at + 1);
  const m = HOST_PORT.exec(authority);
  if (!m) return problem('syntax', 'expected host[:port] after the scheme', authority);
  if (m[1] !== undefined && (!isIPv6(m[1]) || m[1].includes('%')))
    return problem('host', `[${m[1]}] is not an IPv6 address`, m[1]);
  const secure = scheme === 'stuns' || scheme === 'turns';
  const port = m[3] === undefined ? (secure ? STUNS_DEFAULT_PORT : STUN_DEFAULT_PORT) : Number(m[3]);
  if (port < 1 || port > 65535) return problem('port', `port ${m[3]} is outside 1–65535`, m[3]!);
  const t = transport?.toLowerCase();
  if (t !== undefined && t !== 'udp' && t !== 'tcp')
    return problem('transport', `transport "${t}" is not udp or tcp`, transport!);
  return {
    ok: true,
    url: {
      scheme,
      secure,
      host: m[1] ?? m[2]!,
      port,
      defaultPortApplied: m[3] === undefined,
      transport: t,
      userinfo: at >= 0,
      extraQuery: extra,
    },
  };
}

/**
 * An ICE server URL written out: `scheme:host:port`, an IPv6 host bracketed, plus `?transport=udp|tcp`
 * when given (`turn:[2001:db8::1]:3478?transport=tcp`).
 * @param host host name or IP literal (IPv6 without brackets).
 * @param port 1–65535.
 */
export function iceUrlText(scheme: IceScheme, host: string, port: number, transport?: 'udp' | 'tcp'): string {
  return `${scheme}:${hostPort(host, port)}${transport === undefined ? '' : `?transport=${transport}`}`;
}
