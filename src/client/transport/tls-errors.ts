const TLS_WORDS: ReadonlyMap<string, string> = new Map([
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'the TLS certificate is self-signed'],
  [
    'SELF_SIGNED_CERT_IN_CHAIN',
    'the TLS certificate chain ends in a self-signed root this host does not trust',
  ],
  [
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'the TLS certificate was sent alone and its issuer is unknown to this host (a private CA, or a missing intermediate)',
  ],
  [
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'the TLS certificate chain leads to a CA this host does not trust (a private CA?)',
  ],
  ['CERT_HAS_EXPIRED', 'the TLS certificate has expired'],
  ['CERT_NOT_YET_VALID', 'the TLS certificate is not valid yet (clock skew?)'],
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'the TLS certificate does not name this host'],
  ['ECONNREFUSED', 'connection refused (nothing listens on that port)'],
  ['ECONNRESET', 'connection reset by the server or a middlebox'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
]);

/**
 * A socket or TLS error code in plain words, keeping the code so it can be searched for:
 * `'DEPTH_ZERO_SELF_SIGNED_CERT'` → `'the TLS certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)'`.
 * Unknown codes are returned as they are.
 */
export function describeSocketError(code: string): string {
  const words = TLS_WORDS.get(code);
  return words ? `${words} (${code})` : code;
}
