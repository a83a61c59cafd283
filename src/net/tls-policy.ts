import { constants } from 'node:crypto';
import type { TlsOptions } from 'node:tls';

/**
 * The TLS 1.2 cipher suites every TLS listener offers: Mozilla's "intermediate" configuration (ECDHE or
 * DHE key exchange, AEAD only: AES-GCM and ChaCha20-Poly1305; no CBC, no SHA-1 MAC, no RSA key exchange).
 * TLS 1.3 keeps OpenSSL's default suites, all AEAD.
 */
export const INTERMEDIATE_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Longest a TLS handshake may take, from the TCP accept, before the connection is closed, in ms. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Server options shared by TURN over TLS (RFC 8656 §3.1, port 5349) and the report page's HTTPS: TLS 1.2
 * or later (RFC 9325 §3.1.1), {@link INTERMEDIATE_CIPHERS}, the server's cipher order, renegotiation
 * refused (SSL_OP_NO_RENEGOTIATION: a client's renegotiation request is answered with a no_renegotiation
 * alert; RFC 9325 §3.5), and a {@link TLS_HANDSHAKE_TIMEOUT_MS} handshake deadline. A `tls.Server` only
 * emits `tlsClientError` when the deadline passes: its listener must destroy the socket (https.Server does
 * that itself).
 */
export const TLS_SERVER_POLICY: Readonly<TlsOptions> = Object.freeze({
  minVersion: 'TLSv1.2',
  ciphers: INTERMEDIATE_CIPHERS,
  honorCipherOrder: true,
  secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
});
