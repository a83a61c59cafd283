import type { TurnDiagnosisCode } from '../../report/schema.js';

/**
 * What ice-doctor knows of one socket or TLS error code: `words`, the plain-words description printed for it,
 * and for a certificate the client refused (RFC 5280 §6 path validation, RFC 6125 name check) `finding`, the
 * turn-check diagnosis code it is judged as.
 */
interface KnownSocketError {
  words?: string;
  finding?: TurnDiagnosisCode;
}

/** The one table of socket and TLS error codes, by Node's `err.code`. */
const SOCKET_ERRORS: ReadonlyMap<string, KnownSocketError> = new Map([
  [
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    { words: 'the TLS certificate is self-signed', finding: 'tls-self-signed' },
  ],
  [
    'SELF_SIGNED_CERT_IN_CHAIN',
    {
      words: 'the TLS certificate chain ends in a self-signed root this host does not trust',
      finding: 'tls-unknown-ca',
    },
  ],
  [
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    {
      words:
        'the TLS certificate was sent alone and its issuer is unknown to this host (a private CA, or a missing intermediate)',
      finding: 'tls-issuer-unknown',
    },
  ],
  [
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    {
      words: 'the TLS certificate chain leads to a CA this host does not trust (a private CA?)',
      finding: 'tls-unknown-ca',
    },
  ],
  ['UNABLE_TO_GET_ISSUER_CERT', { finding: 'tls-unknown-ca' }],
  ['CERT_HAS_EXPIRED', { words: 'the TLS certificate has expired', finding: 'tls-expired' }],
  [
    'CERT_NOT_YET_VALID',
    { words: 'the TLS certificate is not valid yet (clock skew?)', finding: 'tls-not-yet-valid' },
  ],
  [
    'ERR_TLS_CERT_ALTNAME_INVALID',
    { words: 'the TLS certificate does not name this host', finding: 'tls-wrong-name' },
  ],
  ['ECONNREFUSED', { words: 'connection refused (nothing listens on that port)' }],
  ['ECONNRESET', { words: 'connection reset by the server or a middlebox' }],
  ['EHOSTUNREACH', { words: 'host unreachable' }],
  ['ENETUNREACH', { words: 'network unreachable' }],
  ['PROXY_AUTH_REQUIRED', { words: 'your proxy wants a login (407)' }],
  [
    'PROXY_FORBIDDEN',
    { words: 'your proxy refused CONNECT (403): it does not allow this port or filters this destination' },
  ],
  ['PROXY_REFUSED', { words: 'your proxy refused the tunnel' }],
  ['PROXY_UNREACHABLE', { words: 'your proxy cannot be reached' }],
  ['PROXY_CLOSED', { words: 'your proxy closed the connection before answering CONNECT' }],
  ['PROXY_NOT_HTTP', { words: 'the proxy address does not answer as an HTTP proxy' }],
]);

/**
 * A socket or TLS error code in plain words, keeping the code so it can be searched for:
 * `'DEPTH_ZERO_SELF_SIGNED_CERT'` → `'the TLS certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)'`.
 * Unknown codes are returned as they are.
 */
export function describeSocketError(code: string): string {
  const words = SOCKET_ERRORS.get(code)?.words;
  return words ? `${words} (${code})` : code;
}

/**
 * The turn-check diagnosis code of a TLS certificate refusal, by Node's error code (`'CERT_HAS_EXPIRED'` →
 * `'tls-expired'`), or undefined when `code` is not a certificate refusal.
 */
export function tlsFindingOf(code: string): TurnDiagnosisCode | undefined {
  return SOCKET_ERRORS.get(code)?.finding;
}
