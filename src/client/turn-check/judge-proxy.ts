import { fail, type Judged, serverWords, stepFailed } from './judged.js';
import type { TurnTargetObservations } from './observations.js';

/**
 * The connect step when the HTTP CONNECT proxy did not open the tunnel (`http-connect.ts`): the proxy's
 * refusal (407 login, 403 port not allowed …) or why it could not be asked, in its own words. The TURN
 * server was not reached, so nothing is said about it.
 */
export function proxyFailed(words: string, t: TurnTargetObservations): Judged {
  const proto = t.transport === 'tls' ? 'TLS' : 'TCP';
  return stepFailed(
    words,
    fail(
      'connection-failed',
      `${proto} to ${serverWords(t)} through the proxy did not start: ${words}. The TURN server itself was not reached.`,
    ),
  );
}
