import { z } from 'zod';

/**
 * The `turns:` certificate audit (issue 15 §2): what a browser will think of the certificate, in facts.
 * Read from the TLS handshake (RFC 8446; names RFC 6125 §6; chain RFC 5280 §6).
 */
export const tlsAuditSchema = z.object({
  /** Subject alternative names (DNS:… and IP:… as written in the certificate). */
  subjectAltNames: z.array(z.string()),
  /** Expiry, ISO 8601, and whole days left (negative: expired). Warn under 14 days. */
  notAfter: z.string(),
  daysLeft: z.number().int(),
  /** Whether the URL's host is named by the certificate (RFC 6125 §6; an IP literal against IP SANs); null when not judged. */
  hostMatches: z.boolean().nullable(),
  /**
   * `trusted` (chains to a trusted root), `self-signed`, `untrusted-root` (a complete chain to a root this
   * machine does not trust), `missing-intermediate` (the server did not send the intermediate), `unknown`.
   */
  chain: z.enum(['trusted', 'self-signed', 'untrusted-root', 'missing-intermediate', 'unknown']),
  /** TLS versions the server accepted, each tried alone (and the one the main handshake negotiated). */
  tlsVersions: z.array(z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'])),
  /**
   * TLS versions whose handshake, offered alone, ended without an answer (a timeout, a reset): neither
   * accepted nor refused. Absent when every version was answered; a version the server refused with an
   * alert is in neither list.
   */
  tlsVersionsUnknown: z.array(z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'])).optional(),
  /**
   * Whether a current browser would accept it: trusted chain, host named, not expired, TLS 1.2 or newer;
   * null when one of those is unknown (a chain `unknown`, or trusted only through `--ca`: a browser accepts
   * it only where that CA is installed; the chain judged here and OpenSSL's verification disagree; TLS 1.2
   * and 1.3 not accepted and one of them unanswered), with `reason`.
   */
  browserAccepts: z.boolean().nullable(),
  /** Why something is null or `unknown`, in words; null when everything was judged. */
  reason: z.string().nullable(),
});

export type TlsAudit = z.infer<typeof tlsAuditSchema>;
