import type { Kysely } from 'kysely';
import * as admins from './admin-queries.js';
import { aggregateReports } from './aggregate-query.js';
import type { StoreTables } from './db-schema.js';
import * as deliveries from './delivery-queries.js';
import * as invites from './invite-queries.js';
import * as reports from './report-queries.js';
import * as settings from './setting-queries.js';
import type { Store } from './types.js';

/**
 * The one {@link Store} over Kysely, for SQLite and PostgreSQL alike: each method is a query module's
 * function (setting-, invite-, report-, admin-, delivery-queries.ts, aggregate-query.ts); only
 * `claimDueDeliveries` looks at the dialect. Built by src/store/open-store.ts after the migrations ran.
 */
export function kyselyStore(db: Kysely<StoreTables>, kind: Store['kind'], description: string): Store {
  let closed: Promise<void> | null = null;
  return {
    kind,
    description,
    getSetting: (key) => settings.getSetting(db, key),
    setSettingIfAbsent: (key, value) => settings.setSettingIfAbsent(db, key, value),
    setSetting: (key, value) => settings.setSetting(db, key, value),
    createInvite: (invite) => invites.createInvite(db, invite),
    getInvite: (id) => invites.getInvite(db, id),
    listInvites: (limit, offset) => invites.listInvites(db, limit, offset),
    revokeInvite: (id, atMs) => invites.revokeInvite(db, id, atMs),
    inviteRefusal: async (id, nowMs) => invites.refusalOf(await invites.getInvite(db, id), nowMs),
    collectReport: (input) => reports.collectReport(db, input),
    getReport: (id) => reports.getReport(db, id),
    listReports: (filter, limit, cursor) => reports.listReports(db, filter, limit, cursor),
    aggregate: (filter) => aggregateReports(db, filter),
    deleteReportsBefore: (beforeMs) => reports.deleteReportsBefore(db, beforeMs),
    putAdmin: (admin) => admins.putAdmin(db, admin),
    getAdmin: (username) => admins.getAdmin(db, username),
    deleteAdmin: (username) => admins.deleteAdmin(db, username),
    countAdmins: () => admins.countAdmins(db),
    createSession: (session) => admins.createSession(db, session),
    getSession: (idHash, nowMs) => admins.getSession(db, idHash, nowMs),
    deleteSession: (idHash) => admins.deleteSession(db, idHash),
    deleteExpiredSessions: (nowMs) => admins.deleteExpiredSessions(db, nowMs),
    claimDueDeliveries: (nowMs, leaseMs, limit) =>
      deliveries.claimDueDeliveries(db, kind, nowMs, leaseMs, limit),
    finishDelivery: (id, outcome) => deliveries.finishDelivery(db, id, outcome),
    close: () => {
      closed ??= db.destroy();
      return closed;
    },
  };
}
