import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { BrowserReport } from '../../src/report/browser-schema.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createInviteLink } from '../../src/support-links/create-invite.js';
import { INVITE_KEY_SETTING } from '../../src/support-links/invite-token.js';
import type { SessionInfo } from '../../src/web/admin/admin-api.js';
import { hashPassword } from '../../src/web/admin/server/password.js';
import { exportReport } from '../../src/web/page/report-export.js';
import { type RunningReportServer, startReportServer } from '../../src/web/server/report-server.js';
import { type AdminResponse, send } from './admin-http.js';
import { draft } from './browser-report-draft.js';

/** The dashboard user every fixture has, and its password. */
export const ADMIN = { username: 'alice', password: 'correct horse battery staple' } as const;

/** A signed-in session: the cookie pair to send (`name=value`) and its CSRF token. */
export interface AdminSession {
  cookie: string;
  csrfToken: string;
  /** The cookie's secret (its value). */
  secret: string;
}

/** A report server with a real SQLite store in a temp directory and one dashboard user. */
export interface AdminFixture {
  store: Store;
  server: RunningReportServer;
  dataDir: string;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  http: string;
  /** `https://127.0.0.1:<port>` (no trailing slash). */
  https: string;
  /** Signs in over `base` (default HTTP) with a same-origin Origin. @throws Error when refused. */
  login(base?: string): Promise<AdminSession>;
  /** Creates an invite labelled `label` and collects `report` through it (the page's POST); the report id. */
  collect(label: string, report?: BrowserReport): Promise<string>;
  close(): Promise<void>;
}

/** A valid browser report as the page exports it (recorded Chromium runs), with `verdict.code` set to `code`. */
export function browserReport(code?: string): BrowserReport {
  const report = exportReport(draft(), { redactIps: false, secrets: [] });
  return code === undefined ? report : { ...report, verdict: { ...report.verdict, code } };
}

/**
 * Starts the fixture: `openStore({dataDir})` in a fresh temp directory, user {@link ADMIN} (scrypt hash),
 * and `startReportServer` on 127.0.0.1 (HTTP and HTTPS, picked ports) with the support links on.
 * @param publicDir the built page to serve (default: the repository's dist/web/public/).
 */
export async function startAdminFixture(publicDir?: string): Promise<AdminFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ice-doctor-admin-'));
  const store = await openStore({ dataDir });
  const inviteKey = Buffer.from((await store.getSetting(INVITE_KEY_SETTING))!, 'base64url');
  await store.putAdmin({
    username: ADMIN.username,
    passwordHash: await hashPassword(ADMIN.password),
    createdAtMs: Date.now(),
  });
  let base = '';
  const support = {
    store,
    inviteKey,
    scrubIpsAlways: false,
    webhookUrl: null,
    baseUrl: () => base,
    now: () => Date.now(),
    log: pino({ level: 'silent' }),
  };
  const server = await startReportServer({ support, ...(publicDir ? { publicDir } : {}) });
  const http = server.urls.http!.replace(/\/$/, '');
  const https = server.urls.https!.replace(/\/$/, '');
  base = http;
  const login = async (at = http): Promise<AdminSession> => {
    const res: AdminResponse = await send(`${at}/admin/api/login`, {
      body: { username: ADMIN.username, password: ADMIN.password },
      headers: { Origin: at },
    });
    if (res.status !== 204) throw new Error(`sign-in refused: ${res.status} ${res.body}`);
    const cookie = res.headers['set-cookie']![0]!.split(';')[0]!;
    const session = await send(`${at}/admin/api/session`, { headers: { Cookie: cookie } });
    const info = JSON.parse(session.body) as SessionInfo;
    return { cookie, csrfToken: info.csrfToken, secret: cookie.slice(cookie.indexOf('=') + 1) };
  };
  const collect = async (label: string, report = browserReport()): Promise<string> => {
    const { token } = await createInviteLink(
      support,
      { label, expiresInMs: 3_600_000, maxRuns: 3, collectIps: true, webhookUrl: null, createdBy: 'cli' },
      http,
    );
    const res = await send(`${http}/api/invites/${token}/report`, { body: report });
    if (res.status !== 201) throw new Error(`report refused: ${res.status} ${res.body}`);
    return (JSON.parse(res.body) as { id: string }).id;
  };
  return {
    store,
    server,
    dataDir,
    http,
    https,
    login,
    collect,
    async close() {
      await server.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
