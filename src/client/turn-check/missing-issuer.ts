/**
 * What a leaf sent alone, whose issuer this host does not have, shows (RFC 5280 §6): an incomplete chain
 * when the leaf names where its CA publishes the issuer (AIA caIssuers, as public CAs' leaves do) or `--ca`
 * was given and does not hold the issuer either; otherwise a private CA and a missing intermediate look the
 * same. Shared by the connect step's finding (judge-connect.ts) and the certificate audit (tls-audit.ts).
 * @param issuer the leaf's issuer name, as shown (e.g. `CN=R3, O=Let's Encrypt`).
 * @param aia the leaf's AIA caIssuers URL, or null.
 * @param customCa true when `--ca` certificates were given.
 * @returns `incomplete` true for a missing intermediate, false when it cannot be told from a private CA; `why`
 *   in words.
 */
export function missingIssuer(
  issuer: string,
  aia: string | null,
  customCa: boolean,
): { incomplete: boolean; why: string } {
  const name = `"${issuer}"`;
  if (aia)
    return {
      incomplete: true,
      why: `the server sends its certificate without the intermediate ${name}, which its CA publishes at ${aia} (AIA): the chain is incomplete`,
    };
  if (customCa)
    return {
      incomplete: true,
      why:
        `the certificate's issuer ${name} is neither sent by the server nor among the --ca certificates: the ` +
        'server does not send the intermediate certificate (or --ca is not the CA that issued it)',
    };
  return {
    incomplete: false,
    why:
      `the server sends only its own certificate, issued by ${name}, which this host does not know: a private ` +
      'CA, or a missing intermediate certificate. The certificate names no place to fetch its issuer (no AIA ' +
      "caIssuers, which public CAs' certificates carry), so a private CA is the likelier",
  };
}
