import {
  noProxyFromEnv,
  PROXY_URL_FORM,
  type ProxyRoute,
  ProxyUrlError,
  parseProxyUrl,
  proxyFromEnv,
} from '../../client/transport/proxy-config.js';
import { ConfigError } from '../../errors.js';

/**
 * The proxy of a run: `--proxy URL` when given, else `https_proxy` / `HTTPS_PROXY` from `env`; the
 * `no_proxy` / `NO_PROXY` entries apply to either. Undefined when there is none.
 * @throws ConfigError (exit 2) naming `--proxy` or the variable and the accepted form, for a URL that is not
 *   `http://[user:password@]host[:port]`.
 */
export function resolveProxy(flag: string | undefined, env: NodeJS.ProcessEnv): ProxyRoute | undefined {
  try {
    if (flag === undefined) return proxyFromEnv(env) ?? undefined;
    const proxy = parseProxyUrl(flag);
    return { proxy, source: 'flag', variable: null, noProxy: noProxyFromEnv(env) };
  } catch (err) {
    if (!(err instanceof ProxyUrlError)) throw err;
    const where = flag === undefined ? '' : '--proxy: ';
    throw new ConfigError(`${where}${err.message} (accepted: ${PROXY_URL_FORM})`);
  }
}
