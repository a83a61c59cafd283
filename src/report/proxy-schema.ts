import { z } from 'zod';

/**
 * The HTTP CONNECT proxy a check went through (issue 16 §4): from `--proxy` or the `HTTPS_PROXY` /
 * `https_proxy` environment variable. TCP and TLS connections go through it (TURN over TLS through CONNECT,
 * as browsers do); UDP never can. The URL is shown without credentials.
 */
export const proxyUseSchema = z.object({
  /** `http://host:port`, user and password removed. */
  url: z.string(),
  source: z.enum(['flag', 'env']),
  /** The environment variable it came from (`HTTPS_PROXY` or `https_proxy`); absent for `--proxy`. */
  variable: z.string().optional(),
  /** The NO_PROXY entries in force (hosts reached directly); absent when none. */
  noProxy: z.array(z.string()).optional(),
});

export type ProxyUse = z.infer<typeof proxyUseSchema>;

/**
 * On a turn-check target or a probe reachability row: true when its TCP/TLS connection went through the
 * proxy (a tunnel by CONNECT); absent when it was made directly (UDP, NO_PROXY, no proxy).
 */
export const viaProxySchema = z.literal(true).optional();
