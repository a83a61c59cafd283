import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, rootCertificates, type SecureVersion } from 'node:tls';
import type { TlsAudit } from '../../report/turn-tls-schema.js';
import type { TlsAuditObservation } from '../transport/tls-audit-probe.js';
import { type Finding, warn } from './judged.js';
import { missingIssuer } from './missing-issuer.js';

/** Under this many days left, an expiry is warned about (`tls-expiring-soon`). */
export const EXPIRY_WARN_DAYS = 14;

const DAY_MS = 86_400_000;

let bundledRoots: X509Certificate[] | undefined;

/** Node's bundled root CAs, parsed once per process. */
function nodeRoots(): X509Certificate[] {
  bundledRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return bundledRoots;
}

/** `DNS:a, IP Address:1.2.3.4` (Node's text) → `['DNS:a', 'IP:1.2.3.4']`. */
function subjectAltNames(leaf: X509Certificate): string[] {
  return (leaf.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.length > 0)
    .map((s) => s.replace(/^IP Address:/, 'IP:'));
}

/** True when `issuer` issued `cert`: names and key identifiers match and its key verifies the signature. */
function issued(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * True for a certificate that names itself as issuer and is signed by its own key. Not `checkIssued`,
 * which also wants the keyCertSign key usage that a server's self-signed leaf usually lacks.
 */
function selfIssued(cert: X509Certificate): boolean {
  try {
    return cert.subject === cert.issuer && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** The chain's verdict and why, from the certificates alone (no clock, no name: those are judged apart). */
interface ChainVerdict {
  chain: TlsAudit['chain'];
  reason: string | null;
  viaCustomCa: boolean;
}

/**
 * Builds the path from the leaf through the certificates the server sent to a trust anchor (RFC 5280 §6,
 * signatures and issuer names only): `trusted` at an anchor; `self-signed` for a leaf that issued itself;
 * `untrusted-root` when the path ends at a self-issued root the server sent, or at a sent intermediate
 * whose issuer nobody has (a private root, or one this host lacks); for a leaf sent alone whose issuer is
 * unknown, `missing-intermediate` when the leaf names where its CA publishes the issuer (AIA caIssuers, as
 * public CAs' leaves do) or `--ca` was given and does not hold it either, else `unknown` (a private CA and a
 * missing intermediate look the same).
 */
function judgeChain(certs: X509Certificate[], custom: X509Certificate[]): ChainVerdict {
  const anchors = [...nodeRoots(), ...custom];
  const isAnchor = (c: X509Certificate): X509Certificate | undefined =>
    anchors.find((a) => a.fingerprint256 === c.fingerprint256) ?? anchors.find((a) => issued(c, a));
  let cur = certs[0]!;
  const seen = new Set<string>();
  for (let depth = 0; depth < 10 && !seen.has(cur.fingerprint256); depth++) {
    seen.add(cur.fingerprint256);
    const anchor = isAnchor(cur);
    if (anchor) return { chain: 'trusted', reason: null, viaCustomCa: custom.includes(anchor) };
    if (selfIssued(cur)) {
      if (depth === 0)
        return {
          chain: 'self-signed',
          reason: 'the certificate is signed by its own key',
          viaCustomCa: false,
        };
      return {
        chain: 'untrusted-root',
        reason: `the chain ends in the root "${cur.subject.replaceAll('\n', ', ')}", which this host does not trust`,
        viaCustomCa: false,
      };
    }
    const next = certs.find((c) => c !== cur && issued(cur, c));
    if (!next) break;
    cur = next;
  }
  const issuer = cur.issuer.replaceAll('\n', ', ');
  if (cur !== certs[0])
    return {
      chain: 'untrusted-root',
      reason: `the chain stops at "${cur.subject.replaceAll('\n', ', ')}", issued by "${issuer}", which this host does not trust`,
      viaCustomCa: false,
    };
  const aia = /CA Issuers - URI:(\S+)/.exec(cur.infoAccess ?? '')?.[1] ?? null;
  const m = missingIssuer(issuer, aia, custom.length > 0);
  return { chain: m.incomplete ? 'missing-intermediate' : 'unknown', reason: m.why, viaCustomCa: false };
}

/** Whether TLS 1.2 or 1.3 was accepted, refused by the server (both), or unknown (one left unanswered). */
function modernVersions(o: TlsAuditObservation): 'accepted' | 'refused' | 'unknown' {
  const modern: SecureVersion[] = ['TLSv1.2', 'TLSv1.3'];
  if (modern.some((v) => o.versions.includes(v))) return 'accepted';
  return modern.some((v) => o.unknownVersions.includes(v)) ? 'unknown' : 'refused';
}

/**
 * When the path built here ({@link judgeChain}) and OpenSSL's verification (`chainError`, which also checks
 * the clock of every certificate and its extensions) disagree on trust: both stories, else null.
 */
function chainDisagreement(verdict: ChainVerdict, chainError: string | null): string | null {
  const trustedHere = verdict.chain === 'trusted';
  if (trustedHere === (chainError === null)) return null;
  return trustedHere
    ? `the chain leads to a trusted root, but OpenSSL's verification refused it (${chainError})`
    : `${verdict.reason ?? 'the chain does not lead to a trusted root'}, but OpenSSL's verification accepted it`;
}

/**
 * Judges a `turns:` certificate audit (pure; issue 15 §2): SANs, expiry and whole days left (from the
 * moment of the handshake), whether `host` is named (RFC 6125 §6, Node's `checkServerIdentity`: DNS
 * names with one left-most wildcard, IP SANs for IP literals), the chain ({@link judgeChain}), the TLS
 * versions accepted (and those left unanswered), and whether a current browser would accept it (trusted
 * chain, host named, within its validity, TLS 1.2 or newer; false when one of those is refused; null when
 * the chain is `unknown` or trusted only through `--ca`, which a browser trusts only where that CA is
 * installed, when the path built here and OpenSSL's verification disagree on trust, or when neither TLS 1.2
 * nor 1.3 was accepted and one of them went unanswered — `reason` says which). Null when no certificate was
 * seen.
 * @param ca the `--ca` certificates (PEM), which count as trust anchors as they do for the check.
 */
export function judgeTlsAudit(
  o: TlsAuditObservation,
  host: string,
  ca: readonly string[] = [],
): TlsAudit | null {
  if (o.chain.length === 0) return null;
  const certs = o.chain.map((der) => new X509Certificate(der));
  const leaf = certs[0]!;
  const notAfter = new Date(leaf.validTo);
  const notBefore = new Date(leaf.validFrom);
  const daysLeft = Math.floor((notAfter.getTime() - o.at) / DAY_MS);
  const hostMatches = checkServerIdentity(host, leaf.toLegacyObject()) === undefined;
  const verdict = judgeChain(
    certs,
    ca.map((pem) => new X509Certificate(pem)),
  );
  const valid = o.at >= notBefore.getTime() && o.at <= notAfter.getTime();
  const modern = modernVersions(o);
  const disagreement = chainDisagreement(verdict, o.chainError);
  const openssl = o.chainError && verdict.chain !== 'trusted' ? ` (OpenSSL: ${o.chainError})` : '';
  const reasons = [disagreement ?? (verdict.reason === null ? null : `${verdict.reason}${openssl}`)];
  if (verdict.viaCustomCa)
    reasons.push('trusted through --ca: browsers accept it only where that CA is installed');
  if (!valid) reasons.push(o.at < notBefore.getTime() ? 'not valid yet' : 'expired');
  if (o.versions.length === 0 && o.unknownVersions.length === 0)
    reasons.push('no TLS version was accepted when offered alone');
  if (modern === 'unknown')
    reasons.push(
      `whether the server accepts TLS 1.2 or 1.3 is unknown: the handshake offering ${o.unknownVersions.filter((v) => v === 'TLSv1.2' || v === 'TLSv1.3').join(' and ')} alone ended without an answer (a timeout or a reset)`,
    );
  const refused = !hostMatches || !valid || modern === 'refused';
  const unknown =
    disagreement !== null || modern === 'unknown' || verdict.chain === 'unknown' || verdict.viaCustomCa;
  const browserAccepts = refused ? false : unknown ? null : verdict.chain === 'trusted';
  const reason = reasons.filter((r): r is string => r !== null).join('; ');
  return {
    subjectAltNames: subjectAltNames(leaf),
    notAfter: notAfter.toISOString(),
    daysLeft,
    hostMatches,
    chain: verdict.chain,
    tlsVersions: o.versions,
    ...(o.unknownVersions.length > 0 && { tlsVersionsUnknown: o.unknownVersions }),
    browserAccepts,
    reason: reason === '' ? null : reason,
  };
}

/** What a browser holds against each chain verdict, in words. */
const CHAIN_REFUSALS: Partial<Record<TlsAudit['chain'], string>> = {
  'self-signed': 'it is self-signed',
  'untrusted-root': 'its chain ends in a root browsers do not trust',
  'missing-intermediate': 'the server does not send the intermediate certificate',
};

/** The browser's verdict in words: what of a {@link TlsAudit} makes a browser refuse it. */
function refusals(a: TlsAudit): string[] {
  const why: string[] = [];
  const chain = CHAIN_REFUSALS[a.chain];
  if (chain) why.push(chain);
  if (a.hostMatches === false)
    why.push(`it does not name the host (it names ${a.subjectAltNames.join(', ') || 'no subjectAltName'})`);
  if (a.daysLeft < 0) why.push(`it expired on ${a.notAfter.slice(0, 10)}`);
  const modern = ['TLSv1.2', 'TLSv1.3'] as const;
  const unknown = a.tlsVersionsUnknown ?? [];
  if (modern.every((v) => !a.tlsVersions.includes(v) && !unknown.includes(v)))
    why.push('the server accepts neither TLS 1.2 nor TLS 1.3');
  return why;
}

/**
 * The audit's finding: `tls-expiring-soon` (warn) when fewer than {@link EXPIRY_WARN_DAYS} days are left
 * and it has not expired yet (an expired one fails the connect step, or is named under `--insecure` by
 * {@link notVerifiedWords}).
 */
export function certificateFindings(a: TlsAudit): Finding[] {
  if (a.daysLeft < 0 || a.daysLeft >= EXPIRY_WARN_DAYS) return [];
  return [
    warn(
      'tls-expiring-soon',
      `The TLS certificate expires on ${a.notAfter.slice(0, 10)}, in ${a.daysLeft} day${a.daysLeft === 1 ? '' : 's'}: ` +
        'after that WebRTC clients will not connect over turns:. Renew it now (and check that automatic ' +
        'renewal, e.g. certbot, runs and that the TURN server reloads the new certificate).',
    ),
  ];
}

/**
 * The `tls-not-verified` warning (`--insecure`) in words: the relay check did not judge the certificate,
 * but the audit did — when it shows a browser would refuse it, the reasons are named.
 */
export function notVerifiedWords(a: TlsAudit | null): string {
  const base = 'The TLS certificate was NOT verified (--insecure)';
  if (!a) return `${base}: this check says nothing about it.`;
  const why = refusals(a);
  if (a.browserAccepts === false && why.length > 0)
    return `${base}, but its audit shows browsers will refuse it: ${why.join('; ')}. WebRTC clients will not connect over turns: until it is replaced.`;
  if (a.browserAccepts === null)
    return `${base}; its audit found nothing a browser would refuse, but cannot tell whether browsers trust its chain (see the certificate line).`;
  return `${base}; its audit found nothing a browser would refuse.`;
}
