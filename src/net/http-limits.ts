import type { Server, ServerOptions } from 'node:http';
import type { Logger } from 'pino';
import type { ConnectionBudget } from './connection-budget.js';
import { guardConnections } from './guard-connections.js';
import { budgetRefusals } from './refusal-log.js';

/** Longest a client may take to send a request's headers, from its connection or its previous request, in ms. */
export const HEADERS_TIMEOUT_MS = 15_000;
/** Longest a client may take to send a whole request, in ms (the page's requests have no body). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How long an idle keep-alive connection stays open after a response, in ms. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How often Node checks connections against the two timeouts above, in ms (its default, 30 s, adds up to that). */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * The slow-client limits of the report page's HTTP and HTTPS servers (node:http `ServerOptions`): a
 * connection that has not sent its headers within {@link HEADERS_TIMEOUT_MS} (slowloris: a header line now
 * and then) or its request within {@link REQUEST_TIMEOUT_MS} gets 408 and is closed; idle keep-alive
 * connections close after {@link KEEP_ALIVE_TIMEOUT_MS}. Checked every {@link TIMEOUT_CHECK_INTERVAL_MS}.
 */
export const HTTP_SERVER_LIMITS: Readonly<ServerOptions> = Object.freeze({
  headersTimeout: HEADERS_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
});

/**
 * Puts `server` (node:http or node:https) under `budget` (`guardConnections`: a connection over the
 * process's total or its client's share is destroyed at accept, logged by `budgetRefusals`), and sets
 * `maxConnections` to the budget's total as a backstop.
 * @param what the listener, for the log, e.g. `the report page (HTTPS)`.
 */
export function limitConnections(server: Server, budget: ConnectionBudget, log: Logger, what: string): void {
  guardConnections(server, budget, budgetRefusals(log, what));
  server.maxConnections = budget.limits.total;
}
