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
});

export type ProxyUse = z.infer<typeof proxyUseSchema>;
