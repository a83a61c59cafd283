import { Router } from 'express';
import { z } from 'zod';
import { UserError } from '../../../errors.js';
import { createInviteLink } from '../../../support-links/create-invite.js';
import type { SupportDeps } from '../../server/support-deps.js';
import type { InviteList } from '../admin-api.js';
import { inviteView } from './invite-view.js';
import { parseOr400 } from './parse-request.js';
import { sendError } from './send-error.js';
import { sessionOf } from './sessions.js';

const MINUTE_MS = 60_000;
const YEAR_MS = 365 * 24 * 60 * MINUTE_MS;
const INVITE_ID = /^[A-Za-z0-9_-]{22}$/;

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** The body of `POST /admin/api/invites` (admin-api.ts `InviteCreateBody`); unknown keys refused. */
const createBody = z.strictObject({
  label: z.string().max(200),
  expiresInMs: z.number().int().min(MINUTE_MS).max(YEAR_MS),
  maxRuns: z.number().int().min(1).max(1000),
  collectIps: z.boolean(),
  webhookUrl: z.url({ protocol: /^https?$/, error: 'use an http:// or https:// URL' }).nullable(),
});

/**
 * The invites, mounted under `/admin/api` behind the session and CSRF checks:
 * - `GET /invites?limit&offset` → {@link InviteList} (newest first, each with its link and status);
 * - `POST /invites` {@link createBody} → 201 `{invite}` (created by the signed-in admin through
 *   `createInviteLink`, the one the CLI uses); its refusals → `400 {error: 'invalid-request', message}`;
 * - `POST /invites/:id/revoke` → 204, or `404 {error: 'invite-unknown'}`.
 */
export function inviteRoutes(deps: SupportDeps): Router {
  const router = Router();
  router.get('/invites', async (req, res) => {
    const q = parseOr400(listQuery, req.query, res);
    if (q === undefined) return;
    const invites = await deps.store.listInvites(q.limit, q.offset);
    const body: InviteList = { invites: invites.map((i) => inviteView(deps, i)) };
    res.json(body);
  });
  router.post('/invites', async (req, res) => {
    const b = parseOr400(createBody, req.body, res);
    if (b === undefined) return;
    try {
      const { invite } = await createInviteLink(
        deps,
        { ...b, createdBy: sessionOf(res).username },
        deps.baseUrl(),
      );
      res.status(201).json({ invite: inviteView(deps, invite) });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      sendError(res, 400, 'invalid-request', err.message);
    }
  });
  router.post('/invites/:id/revoke', async (req, res) => {
    const known = INVITE_ID.test(req.params.id) && (await deps.store.revokeInvite(req.params.id, deps.now()));
    if (!known) return sendError(res, 404, 'invite-unknown', 'no such invite');
    res.status(204).end();
  });
  return router;
}
