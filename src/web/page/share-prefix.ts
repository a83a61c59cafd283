/**
 * The fragment prefix of a share link (`#report=`, share-link.ts). A module of its own, with no imports, so
 * the first code app.js runs (early-requests.ts) and the entry point can tell a share link from a live run
 * without evaluating the report schemas (zod) first.
 */
export const SHARE_PREFIX = '#report=';
