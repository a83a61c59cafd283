import type { TurnDiagnosisCode } from '../../report/schema.js';
import { reportedMs } from '../transport/rtt.js';
import { TLS_NO_HANDSHAKE } from '../transport/stream-connect.js';
import { describeSocketError, tlsFindingOf } from '../transport/tls-errors.js';
import { proxyFailed } from './judge-proxy.js';
import { fail, type Judged, serverWords, stepFailed, stepOk } from './judged.js';
import { missingIssuer } from './missing-issuer.js';
import type { ConnectObservation, ResolveObservation, TurnTargetObservations } from './observations.js';

const TLS_FIX: ReadonlyMap<TurnDiagnosisCode, string> = new Map([
  ['tls-self-signed', 'browsers reject it too: use a certificate from a public CA (e.g. Let’s Encrypt)'],
  [
    'tls-unknown-ca',
    'browsers reject it too unless that CA is installed on the device: use a certificate from a public CA, or ' +
      "give the CA's certificate with --ca FILE to check the rest of the server",
  ],
  [
    'tls-issuer-unknown',
    'for a private CA give its certificate with --ca FILE; for a public CA configure the full chain ' +
      '(coturn cert= with the intermediates appended)',
  ],
  ['tls-incomplete-chain', 'configure the full chain file (coturn cert= with the intermediates appended)'],
  ['tls-expired', 'renew it'],
  ['tls-not-yet-valid', 'check the clock of this host and of the server'],
  ['tls-wrong-name', 'get one whose subjectAltName lists the host name in the turns: URL'],
]);

/**
 * What an untrusted chain shows (RFC 5280 §6): the chain's top and, for a leaf sent alone
 * (UNABLE_TO_VERIFY_LEAF_SIGNATURE), whether the missing issuer is an intermediate the server should send
 * (the leaf names where its CA publishes it, AIA caIssuers, as public CAs do; or --ca was given and the
 * issuer is not in it either) or cannot be told from a private root (`tls-issuer-unknown`). `code` is the
 * finding of the refusal's error code ({@link tlsFindingOf}).
 */
function tlsChainFinding(
  o: ConnectObservation,
  t: TurnTargetObservations,
  code: TurnDiagnosisCode,
): { code: TurnDiagnosisCode; why: string } {
  const chain = o.facts?.certificate?.chain ?? [];
  const top = chain.at(-1);
  const leaf = chain[0];
  const aia = o.facts?.certificate?.caIssuersUrl ?? null;
  const caWords = t.customCa ? ' (nor do the --ca certificates)' : '';
  if (o.errorCode === 'SELF_SIGNED_CERT_IN_CHAIN' && top) {
    const why = `the chain the server sends ends in the root "${top.subject}", which this host does not trust${caWords}: a private CA`;
    return { code, why };
  }
  if (code === 'tls-unknown-ca' && top) {
    const why =
      `the chain the server sends stops at "${top.subject}", issued by "${top.issuer}", which this host does not ` +
      `trust${caWords}: a private CA, or a root this host lacks`;
    return { code, why };
  }
  if (code !== 'tls-issuer-unknown' || !leaf) return { code, why: '' };
  const m = missingIssuer(leaf.issuer, aia, t.customCa);
  return { code: m.incomplete ? 'tls-incomplete-chain' : code, why: m.why };
}

/** The resolve step: the address found, or `resolve-failed` with the resolver's reason. */
export function judgeResolve(o: ResolveObservation): Judged {
  if (o.address) return stepOk(o.address.address);
  const error = o.error ?? 'no address';
  return stepFailed(
    error,
    fail('resolve-failed', `${error}: check the host name in the URL and this host's DNS.`),
  );
}

/**
 * TCP connected but TLS did not (`openStreamSocket`): the verdict names a plain `turn:` port when the port
 * answered STUN over plain TCP, and says "looks like" when it did not answer or was not asked.
 */
function noTlsHandshake(o: ConnectObservation, t: TurnTargetObservations): Judged {
  const where = serverWords(t);
  const tcp = o.facts?.tcpConnectMs;
  const tcpWords = tcp == null ? 'TCP connected' : `TCP connected in ${reportedMs(tcp)} ms`;
  const cause = o.facts?.tlsFailure;
  const how =
    cause === 'timeout' || cause == null
      ? `no TLS handshake within ${Math.round(o.facts?.tlsWaitMs ?? o.durationMs)} ms`
      : `no TLS handshake (the server answered the ClientHello with ${describeSocketError(cause)})`;
  const plain = `turn:${t.url.replace(/^turns:/, '')}?transport=tcp`;
  const verdict =
    o.plainStun === true
      ? `this is a plain turn: port (it answers STUN over plain TCP). Use ${plain} for this port, or the ` +
        "server's TLS port for turns: (coturn: tls-listening-port, 5349 by default)."
      : o.plainStun === false
        ? 'this looks like a plain turn: port, but it did not answer STUN over plain TCP either: not a TLS ' +
          'server, maybe no STUN/TURN server at all.'
        : 'this looks like a plain turn: port.';
  return stepFailed(
    `${tcpWords}, but ${how}`,
    fail('tls-no-handshake', `${tcpWords} to ${where}, but ${how}: ${verdict}`),
  );
}

/**
 * The TCP/TLS connect step (RFC 8489 §6.2.2–6.2.3): the certificate problem with its chain
 * ({@link tlsChainFinding}), a plain port answering a ClientHello ({@link noTlsHandshake}), a refused port,
 * no TCP connection within the timeout, or any other socket error in plain words.
 */
export function judgeConnect(o: ConnectObservation, t: TurnTargetObservations): Judged {
  const where = serverWords(t);
  const proto = t.transport === 'tls' ? 'TLS' : 'TCP';
  if (o.errorCode === null) {
    const verified =
      t.transport !== 'tls' ? '' : t.insecure ? ', certificate NOT verified' : ', certificate verified';
    return stepOk(`${proto} connected${verified}`);
  }
  if (o.facts?.proxyFailure) return proxyFailed(o.facts.proxyFailure, t);
  const words = describeSocketError(o.errorCode);
  const finding = tlsFindingOf(o.errorCode);
  if (finding) {
    const { code, why } = tlsChainFinding(o, t, finding);
    const fix = TLS_FIX.get(code)!;
    return stepFailed(
      words,
      fail(
        code,
        `TLS certificate problem at ${where}: ${words}${why ? `; ${why}` : ''}. WebRTC clients will not connect ` +
          `over turns:; ${fix}. Run with --insecure to check the rest of the server without verifying the certificate.`,
      ),
    );
  }
  if (o.errorCode === TLS_NO_HANDSHAKE) return noTlsHandshake(o, t);
  if (o.errorCode === 'ECONNREFUSED') {
    return stepFailed(
      words,
      fail(
        'tcp-port-closed',
        `${proto} port ${where} is closed (connection refused): nothing listens there, or a firewall rejects it. ` +
          `Check the server's ${t.transport === 'tls' ? 'tls-listening-port' : 'listening-port'} and firewall.`,
      ),
    );
  }
  if (o.errorCode === 'timeout') {
    // For TLS too this is the TCP handshake: once TCP is up, a missing TLS handshake is tls-no-handshake.
    return stepFailed(
      `no TCP handshake within ${Math.round(o.durationMs)} ms`,
      fail(
        'connect-timeout',
        `No TCP connection to ${where} within ${Math.round(o.durationMs)} ms: a firewall drops it silently, or the host is down.`,
      ),
    );
  }
  return stepFailed(words, fail('connection-failed', `${proto} connection to ${where} failed: ${words}.`));
}
