/** The help text of `--proxy`, shared by `turn-check` and `probe`. */
export const PROXY_FLAG_HELP =
  'HTTP proxy for TCP/TLS, tunnelled with CONNECT (http://[user:password@]host:port; default: HTTPS_PROXY, ' +
  'NO_PROXY lists hosts reached directly); UDP never goes through it';
