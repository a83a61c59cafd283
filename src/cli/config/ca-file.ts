import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The PEM certificates of a `--ca FILE` (one or more, e.g. a private root and its intermediates), to trust
 * besides Node's bundled roots for turns:/stuns: (RFC 8489 §6.2.3).
 * @param flag the flag's name, for the error message.
 * @returns each certificate as one PEM block.
 * @throws ConfigError when the file cannot be read or holds no PEM certificate.
 */
export function readCaFile(flag: string, path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`${flag} ${path}: cannot read it (${code})`);
  }
  const certs = text.match(PEM_CERTIFICATE);
  if (!certs)
    throw new ConfigError(`${flag} ${path}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)`);
  return certs;
}
