import type { Page, Request } from 'playwright-core';

/**
 * Records everything a page sends: every request (URL, all headers, body) and every WebSocket frame it sends
 * (Playwright's `request` and `websocket` → `framesent` events), so a test can assert that a string never left
 * the page.
 */

/** One thing the page sent: what it was (`GET http://…`, `ws frame to ws://…`) and its full text. */
export interface SentItem {
  what: string;
  text: string;
}

/** A recorder attached to a page. */
export interface TrafficRecorder {
  /** Everything sent so far (request headers are read when this is called). */
  sent(): Promise<SentItem[]>;
  /** Every item whose text contains one of `needles` (as is or URL-encoded), with the needle found. */
  carrying(needles: readonly string[]): Promise<{ what: string; needle: string }[]>;
}

/** Starts recording `page` (attach before navigating). */
export function recordTraffic(page: Page): TrafficRecorder {
  const requests: Request[] = [];
  const frames: SentItem[] = [];
  page.on('request', (r) => requests.push(r));
  page.on('websocket', (ws) => {
    frames.push({ what: `websocket ${ws.url()}`, text: ws.url() });
    ws.on('framesent', (f) =>
      frames.push({
        what: `frame to ${ws.url()}`,
        text: typeof f.payload === 'string' ? f.payload : f.payload.toString('latin1'),
      }),
    );
  });
  const sent = async (): Promise<SentItem[]> => [
    ...(await Promise.all(
      requests.map(async (r) => ({
        what: `${r.method()} ${r.url()}`,
        text: [
          r.url(),
          JSON.stringify(await r.allHeaders().catch(() => r.headers())),
          r.postData() ?? '',
        ].join('\n'),
      })),
    )),
    ...frames,
  ];
  return {
    sent,
    async carrying(needles) {
      const forms = needles.flatMap((n) => [n, encodeURIComponent(n)]);
      return (await sent()).flatMap((item) =>
        forms.filter((n) => item.text.includes(n)).map((needle) => ({ what: item.what, needle })),
      );
    },
  };
}
