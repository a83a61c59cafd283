import { parseStunUrl } from '../../client/url/stun-url.js';
import { parseTurnUrl, turnTargets } from '../../client/url/turn-url.js';
import { ConfigError } from '../../errors.js';
import type { PathKind } from '../../report/browser-schema.js';
import { isBlank } from '../../server/turn/settings.js';
import { IceUrlError } from '../../shared/ice-url.js';
import type { PageCredentials, PageIceServer } from '../../web/server/ice-config.js';

const FLAG = '--page-ice-server';
const TURN_KIND = { udp: 'turn-udp', tcp: 'turn-tcp', tls: 'turns' } as const satisfies Record<
  string,
  PathKind
>;

/** The credential part after `;`: `user=NAME:PASSWORD`, `secret=SECRET` or `secret-env=VARIABLE`. */
function parseCredentials(param: string | undefined, url: string, env: NodeJS.ProcessEnv): PageCredentials {
  if (param === undefined) return { kind: 'none' };
  const eq = param.indexOf('=');
  const key = eq < 0 ? param : param.slice(0, eq);
  const value = eq < 0 ? '' : param.slice(eq + 1);
  if (key === 'user') {
    const colon = value.indexOf(':');
    if (colon < 1 || isBlank(value.slice(colon + 1)))
      throw new ConfigError(`${url}: user= needs the form NAME:PASSWORD (a password not only whitespace)`);
    return { kind: 'static', username: value.slice(0, colon), password: value.slice(colon + 1) };
  }
  if (key === 'secret') {
    if (isBlank(value)) throw new ConfigError(`${url}: secret= is empty or only whitespace`);
    return { kind: 'rest', secret: value };
  }
  if (key === 'secret-env') {
    const secret = env[value];
    if (secret === undefined) throw new ConfigError(`${url}: environment variable '${value}' is not set`);
    if (isBlank(secret))
      throw new ConfigError(`${url}: environment variable '${value}' is empty or only whitespace`);
    return { kind: 'rest', secret };
  }
  throw new ConfigError(`${url}: unknown ';${key}' (user=NAME:PASSWORD, secret=S or secret-env=VAR)`);
}

function parseSpec(spec: string, env: NodeJS.ProcessEnv): PageIceServer {
  const semi = spec.indexOf(';');
  const url = (semi < 0 ? spec : spec.slice(0, semi)).trim();
  const credentials = parseCredentials(semi < 0 ? undefined : spec.slice(semi + 1), url, env);
  if (/^turns?:/i.test(url)) {
    const parsed = parseTurnUrl(url);
    if (credentials.kind === 'none')
      throw new ConfigError(`${url}: a TURN URL needs ;secret=S, ;secret-env=VAR or ;user=NAME:PASSWORD`);
    const urls = turnTargets(parsed).map((t) => ({ kind: TURN_KIND[t.transport], url: t.url }));
    return { label: parsed.host, urls, credentials };
  }
  const parsed = parseStunUrl(url);
  if (parsed.transport !== 'udp')
    throw new ConfigError(`${url}: browsers use STUN over UDP only (no stuns:, no ?transport=tcp)`);
  if (credentials.kind !== 'none') throw new ConfigError(`${url}: a STUN URL takes no credentials`);
  return { label: parsed.host, urls: [{ kind: 'stun', url: parsed.url }], credentials };
}

/**
 * Parses one `--page-ice-server` value: another STUN/TURN server the report page tests besides the
 * bundled one, as `URL[;CREDENTIALS]`:
 * - `stun:host[:port]` (RFC 7064; UDP, as browsers use it) — no credentials;
 * - `turn:host[:port][?transport=udp|tcp]` (without `?transport` both: two paths) or `turns:host[:port]`
 *   (RFC 7065), with `;secret=SECRET` or `;secret-env=VARIABLE` (a TURN REST API shared secret: the page
 *   gets credentials minted per request, draft-uberti-behave-turn-rest-00) or `;user=NAME:PASSWORD` (a
 *   static user, handed to every visitor of the page as it is).
 * Everything after the first `;` is the credential, so a secret may contain `;`.
 * @param env where `secret-env=` reads from.
 * @returns one server labelled by its host, with one URL per path.
 * @throws ConfigError `--page-ice-server: …` for a bad URL, `stuns:` or `stun:…?transport=tcp` (browsers
 *   do not speak them), a TURN URL without credentials, a STUN URL with some, or an unknown credential key.
 */
export function parsePageIceServer(spec: string, env: NodeJS.ProcessEnv = process.env): PageIceServer {
  try {
    return parseSpec(spec, env);
  } catch (err) {
    const refused = err instanceof ConfigError || err instanceof IceUrlError;
    throw refused ? new ConfigError(`${FLAG}: ${err.message}`) : err;
  }
}
