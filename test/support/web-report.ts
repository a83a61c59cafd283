import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import WebSocket from 'ws';
import { parseTurnFlags, type TurnFlags } from '../../src/cli/config/turn-flags.js';
import { PageScope } from '../../src/server/turn/page-scope.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';
import { bundledIceServer } from '../../src/web/server/bundled-ice-server.js';
import {
  type ReportServerOptions,
  type RunningReportServer,
  startReportServer,
} from '../../src/web/server/report-server.js';
import { type ServerMessage, serverMessageSchema } from '../../src/web/signaling-schema.js';

/** An HTTP(S) response read whole, with the client's local port (what the server saw as the visitor). */
export interface Fetched {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  localPort: number;
}

/**
 * GET (or `method`) `url` over http: or https: (any certificate accepted: the report server's is
 * self-signed), with extra `headers` (e.g. a forged Host), an optional `body` and source `localAddress`
 * (another "client IP" for rate limits). A fresh connection per request.
 */
export function fetchRaw(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<Fetched> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        rejectUnauthorized: false,
        agent: false,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            localPort: req.socket?.localPort ?? 0,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A bundled STUN/TURN server (127.0.0.1 and 127.0.0.2, picked ports) and a report server in front of it. */
export interface BundledPair {
  turn: RunningTurnServer;
  report: RunningReportServer;
  /** The page scope's TURN REST secret the report mints from (the bundled server accepts it, scoped). */
  secret: string;
  close(): Promise<void>;
}

/**
 * Starts the pair as `ice-doctor serve` does: the TURN server accepts a page scope's random REST secret
 * besides `turnFlags`' users and secrets (scoped, page-scope.ts), and the report server hands out
 * credentials minted from it and binds them to signaling rooms.
 * @param reportOptions more report server options, given the running TURN server.
 */
export async function startBundledPair(
  turnFlags: TurnFlags = {},
  reportOptions: (turn: RunningTurnServer) => ReportServerOptions = () => ({}),
): Promise<BundledPair> {
  const addresses = ['127.0.0.1', '127.0.0.2'];
  const settings = parseTurnFlags(turnFlags, addresses, true, {});
  const pageScope = new PageScope();
  const secret = pageScope.secret;
  const turn = await startTurnServer({ addresses, port: 0, turn: settings, pageScope });
  const report = await startReportServer({
    iceServers: [bundledIceServer(turn, secret)],
    pageScope,
    ...reportOptions(turn),
  });
  return {
    turn,
    report,
    secret,
    close: async () => {
      await Promise.all([report.close(), turn.close()]);
    },
  };
}

/** A signaling WebSocket client that validates and queues every server message. */
export interface SignalClient {
  ws: WebSocket;
  /** The next server message (validated with `serverMessageSchema`), at most `timeoutMs`. */
  next(timeoutMs?: number): Promise<ServerMessage>;
  /** Sends `message` as one JSON text frame. */
  send(message: unknown): void;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  /** Messages received and not yet taken by `next`. */
  queued(): number;
}

/** The `ws` URL of a report server's signaling endpoint on one listener. */
export function signalUrl(report: RunningReportServer, scheme: 'ws' | 'wss'): string {
  const page = scheme === 'ws' ? report.urls.http! : report.urls.https!;
  return `${page.replace(/^http/, 'ws')}signal`;
}

/** The page origin a browser would send: the listener's own `http(s)://host:port`. */
export function pageOrigin(report: RunningReportServer, scheme: 'ws' | 'wss'): string {
  return new URL(scheme === 'ws' ? report.urls.http! : report.urls.https!).origin;
}

/**
 * Opens a signaling WebSocket like a browser on the page would (Origin = the page's origin unless given),
 * accepting the self-signed certificate, from `localAddress` when given (another client IP on loopback).
 * Rejects with the HTTP status when the upgrade is refused.
 */
export function connectSignal(
  url: string,
  opts: { origin?: string | null; autoPong?: boolean; localAddress?: string } = {},
): Promise<SignalClient> {
  const origin = opts.origin === undefined ? new URL(url.replace(/^ws/, 'http')).origin : opts.origin;
  const ws = new WebSocket(url, {
    ...(origin !== null && { origin }),
    rejectUnauthorized: false,
    autoPong: opts.autoPong ?? true,
    ...(opts.localAddress !== undefined && { localAddress: opts.localAddress }),
  });
  const queue: ServerMessage[] = [];
  const waiters: ((m: ServerMessage) => void)[] = [];
  ws.on('message', (data: Buffer) => {
    const m = serverMessageSchema.parse(JSON.parse(data.toString('utf8')));
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        closed,
        queued: () => queue.length,
        send: (message) => ws.send(JSON.stringify(message)),
        next: (timeoutMs = 2000) =>
          new Promise((res, rej) => {
            const m = queue.shift();
            if (m) return res(m);
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(done), 1);
              rej(new Error(`no signaling message within ${timeoutMs} ms`));
            }, timeoutMs);
            const done = (msg: ServerMessage): void => {
              clearTimeout(timer);
              res(msg);
            };
            waiters.push(done);
          }),
      }),
    );
  });
}
