import pc from 'picocolors';
import type { ProxyUse } from '../../report/proxy-schema.js';

/**
 * The line naming the proxy of a run (`through proxy http://host:port (from HTTPS_PROXY)`), or none when
 * TCP/TLS went directly. Never shows credentials (the report's URL has none).
 */
export function proxyLines(proxy: ProxyUse | undefined): string[] {
  if (!proxy) return [];
  const from = proxy.source === 'flag' ? '--proxy' : (proxy.variable ?? 'HTTPS_PROXY');
  const skip = proxy.noProxy ? `; NO_PROXY: ${proxy.noProxy.join(', ')}` : '';
  return [pc.dim(`TCP/TLS through proxy ${proxy.url} (from ${from}${skip}); UDP directly`), ''];
}

/** ` via proxy` after a target or reachability row whose TCP/TLS went through the proxy. */
export function viaProxyWords(viaProxy: true | undefined): string {
  return viaProxy ? pc.dim(' via proxy') : '';
}
