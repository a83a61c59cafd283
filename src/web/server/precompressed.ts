import type { RequestHandler } from 'express';

/** The encodings scripts/build-page.mjs writes beside each text file of the page, best first, with their suffix. */
const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
] as const;

/**
 * Serves the page's files compressed at build time (scripts/build-page.mjs writes `app.js.br` and
 * `app.js.gz` beside `app.js`, the same for index.html and style.css): a GET or HEAD of `/<name>` (`/` is
 * index.html) from a client that accepts `br` (else `gzip`; RFC 9110 §12.5.3 Accept-Encoding) gets that
 * file with `Content-Encoding` and the Content-Type of `<name>`. Every such response, and the identity one
 * that follows when no encoding is accepted or no compressed file exists, has `Vary: Accept-Encoding`.
 * Nothing is compressed per request: no CPU for an attacker to spend. Other requests go on untouched.
 * @param publicDir the folder of the built page (a file system path); names are resolved inside it only.
 */
export function precompressed(publicDir: string): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path === '/' ? 'index.html' : req.path.slice(1);
    if (name === '' || name.includes('/') || name.startsWith('.')) return next();
    res.vary('Accept-Encoding');
    const encoding = ENCODINGS.find(([coding]) => req.acceptsEncodings(coding) === coding);
    if (encoding === undefined) return next();
    const [coding, suffix] = encoding;
    res.type(name);
    res.sendFile(
      `${name}${suffix}`,
      { root: publicDir, dotfiles: 'ignore', headers: { 'Content-Encoding': coding } },
      (err) => {
        if (err && !res.headersSent) {
          res.removeHeader('Content-Type');
          next();
        }
      },
    );
  };
}
