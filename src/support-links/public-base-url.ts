/**
 * The settings key under which `serve` writes the base of its invite links (e.g.
 * `https://support.example.org:8443`, no trailing slash) at start, read by `ice-doctor invite create` when
 * `--base-url` is not given.
 */
export const PUBLIC_BASE_URL_SETTING = 'public-base-url';

/**
 * The base of invite links of a report server: the first public host over HTTPS when there is one, else
 * the HTTPS URL, else the HTTP one (a page URL such as `https://127.0.0.1:8443/`), without the trailing `/`.
 * @returns null when the server has no listener.
 */
export function inviteBaseUrl(urls: {
  readonly publicUrls: { readonly http: string | null; readonly https: string | null } | null;
  readonly urls: { readonly http: string | null; readonly https: string | null };
}): string | null {
  const url = urls.publicUrls?.https ?? urls.urls.https ?? urls.publicUrls?.http ?? urls.urls.http;
  return url === null || url === undefined ? null : url.replace(/\/+$/, '');
}
