import { type CoturnTurn, startCoturnTurnInNs } from '../../lab/coturn-turn.js';
import type { VisitorSettings } from '../../src/web/page/visitor-servers/model.js';
import { SANDBOX_IP } from './sandbox.js';
import { type SandboxedServe, serveInSandbox } from './sandbox-serve.js';

/**
 * The visitor-servers lab of the browser tests: `ice-doctor serve` in a sandbox namespace (sandbox-serve.ts)
 * and, beside it on the sandbox's address (not loopback: Firefox ignores loopback ICE servers unless
 * `media.peerconnection.ice.loopback` is set), two coturn TURN servers the page does not know of — one with
 * a static long-term user (`lt-cred-mech`), one with a TURN REST secret (`use-auth-secret`) — for the visitor
 * to enter in the page. Needs root, coturn and `npm run build`.
 */

/** The static user's name and password, and the REST secret (test values, never sent anywhere). */
export const STATIC_USER = 'visitor-alice';
export const STATIC_PASSWORD = 'Static-Pass-31f9';
export const REST_SECRET = 'Rest-Secret-8c2e';

/** The coturn with the static user: TURN over UDP on the sandbox address. */
export const STATIC_URL = `turn:${SANDBOX_IP}:3478?transport=udp`;
/** The coturn with the REST secret: TURN over TCP on the sandbox address. */
export const REST_URL = `turn:${SANDBOX_IP}:3578?transport=tcp`;

/** The running lab. */
export interface VisitorLab {
  readonly served: SandboxedServe;
  readonly staticTurn: CoturnTurn;
  readonly restTurn: CoturnTurn;
  /** Stops both coturns and serve (by PID), then deletes the namespace. */
  close(): Promise<void>;
}

/** The visitor's two servers as the page keeps them, with `policy`. */
export function visitorSettings(policy: VisitorSettings['policy']): VisitorSettings {
  return {
    servers: [
      { urls: STATIC_URL, username: STATIC_USER, credential: STATIC_PASSWORD },
      { urls: REST_URL, secret: REST_SECRET },
    ],
    policy,
  };
}

/**
 * Starts the lab (see the module comment).
 * @throws Error when serve or a coturn does not come up (what was started is stopped).
 */
export async function startVisitorLab(): Promise<VisitorLab> {
  const served = await serveInSandbox();
  const started: CoturnTurn[] = [];
  try {
    const common = { realm: 'visitor.test', allowLoopbackPeers: false, ip: SANDBOX_IP };
    started.push(
      await startCoturnTurnInNs(
        served.sandbox.ns,
        { ...common, users: new Map([[STATIC_USER, STATIC_PASSWORD]]) },
        { port: 3478, tlsPort: 0, relayPorts: [40_000, 40_099] },
      ),
    );
    started.push(
      await startCoturnTurnInNs(
        served.sandbox.ns,
        { ...common, authSecret: REST_SECRET },
        { port: 3578, tlsPort: 0, relayPorts: [40_100, 40_199] },
      ),
    );
  } catch (err) {
    for (const c of started) await c.stop();
    await served.close();
    throw err;
  }
  const [staticTurn, restTurn] = started as [CoturnTurn, CoturnTurn];
  return {
    served,
    staticTurn,
    restTurn,
    async close() {
      await staticTurn.stop();
      await restTurn.stop();
      await served.close();
    },
  };
}
