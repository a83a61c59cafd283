import type { ProxyUse } from '../../report/proxy-schema.js';
import {
  type TurnCheckReport,
  type TurnDiagnosis,
  type TurnDiagnosisCode,
  type TurnStep,
  type TurnStepName,
  type TurnTargetReport,
  turnStepNameSchema,
} from '../../report/schema.js';
import { formatAddress } from '../../wire/address.js';
import { reportedMs } from '../transport/rtt.js';
import { STREAM_WAIT_MS } from '../transport/transaction.js';
import { alternateFinding } from './alternate.js';
import { judgeConnect, judgeResolve } from './judge-connect.js';
import { familyRefused, judgeFamilyAllocate, relayFamilies } from './judge-family.js';
import { judgeOutsideReach } from './judge-reach.js';
import {
  type Finding,
  fail,
  firstRequest,
  type Judged,
  resolvedServer,
  saidWords,
  serverWords,
  stepFailed,
  stepOk,
  warn,
} from './judged.js';
import { localLimitation, notCheckedHere } from './node-local.js';
import {
  type DataObservation,
  REFRESH_LIFETIME_S,
  type RequestObservation,
  stillAllocated,
  type TurnObservation,
  type TurnTargetObservations,
} from './observations.js';
import { withNetworkVerdict } from './proxy-verdict.js';
import { judgeQuality } from './quality-judge.js';
import { summariseQuality } from './quality-summary.js';
import { relayScopeFinding } from './relay-scope.js';
import { certificateFindings, judgeTlsAudit, notVerifiedWords } from './tls-audit.js';

/**
 * The steps a check reports, in the order of the schema's enum (which is the order they run in); UDP has no
 * `connect`. The `bound-send-indication` steps are listed only when they ran.
 */
const STREAM_STEPS: readonly TurnStepName[] = turnStepNameSchema.options;
const UDP_STEPS: readonly TurnStepName[] = STREAM_STEPS.filter((s) => s !== 'connect');
const OPTIONAL_STEPS: ReadonlySet<TurnStepName> = new Set([
  'bound-send-indication',
  'peer-bound-send-indication',
  'family-allocate',
]);

const STEP_WORDS: ReadonlyMap<TurnStepName, string> = new Map([
  ['allocate', 'Allocate'],
  ['peer-allocate', 'Allocate (second allocation)'],
  ['create-permission', 'CreatePermission'],
  ['peer-create-permission', 'CreatePermission (second allocation)'],
  ['channel-bind', 'ChannelBind'],
  ['peer-channel-bind', 'ChannelBind (second allocation)'],
  ['refresh', 'Refresh'],
  ['delete', 'Refresh(LIFETIME 0)'],
  ['deleted-check', 'CreatePermission after the delete'],
  ['peer-delete', 'Refresh(LIFETIME 0) (second allocation)'],
  ['family-allocate', 'Allocate for the other address family'],
]);

/** A request step in plain words: `ChannelBind (second allocation)`. */
function stepWords(step: TurnStepName): string {
  return STEP_WORDS.get(step) ?? step;
}

function noResponse(o: RequestObservation, t: TurnTargetObservations): Finding {
  const f = o.failure!;
  const what = stepWords(o.step);
  const where = serverWords(t);
  switch (f.kind) {
    case 'timeout':
      if (t.transport === 'udp' && o.step === 'allocate') {
        return fail(
          'udp-silent',
          `No reply over UDP from ${where} within ${Math.round(o.durationMs)} ms (${o.sent} requests): UDP is ` +
            'silently dropped (a firewall or security group) or no TURN server listens on that UDP port.',
        );
      }
      return fail(
        'no-answer',
        o.step === 'allocate'
          ? `Connected over ${t.transport.toUpperCase()}, but ${where} sent no STUN answer to Allocate within ` +
              `${STREAM_WAIT_MS} ms: is it a TURN server on that port?`
          : `The server stopped answering: no reply to ${what} within ${Math.round(o.durationMs)} ms.`,
      );
    case 'unreachable':
      return fail(
        'udp-port-unreachable',
        `UDP port ${where} is closed: an ICMP port-unreachable came back (nothing listens on it).`,
      );
    case 'closed':
      return fail('connection-closed', `The server closed the connection instead of answering ${what}.`);
    case 'garbage':
    case 'unparseable':
      return fail(
        'unparseable-response',
        `The answer to ${what} is not a well-formed STUN message (${f.message}): is ${where} a TURN server?`,
      );
    case 'aborted':
      return fail('deadline-exceeded', `The check ran out of time (--timeout) during ${what}.`);
    default:
      return fail('connection-failed', `${what} failed: ${f.message}.`);
  }
}

/**
 * A server that blocks a client IP after failed authentications (coturn, `ice-doctor serve
 * --auth-failure-limit`) answers 401 to every signed request from it, right password included: on the wire
 * that is the same 401 as for a wrong password, so the finding names both causes.
 */
const RATE_LIMIT_HINT =
  'The two look the same from here (a 401 to a correctly signed request): if the credentials are right, ' +
  'wait for the block to expire (ice-doctor serve: --auth-block, 60 s by default) or retry from another address.';

/**
 * A 400 to an Allocate signed after the 401 challenge, while the unsigned one got a proper 401: RFC 8489
 * §9.2.5 says a server answers wrong credentials with 401, but some (pion/turn) answer 400.
 */
function rejectedSignedRequest(o: RequestObservation): boolean {
  return o.errorCode === 400 && o.authenticated && o.challenges.includes(401);
}

function errorFinding(o: RequestObservation, t: TurnTargetObservations): Finding {
  const what = stepWords(o.step);
  const code = o.errorCode!;
  const said = saidWords(o);
  const isPermission = o.step.endsWith('create-permission') || o.step.endsWith('channel-bind');
  switch (code) {
    case 300:
      return alternateFinding(o, t);
    case 401:
      if (!o.authenticated) {
        return fail(
          'bad-auth-challenge',
          `The server answered ${what} with ${said} but without the REALM and NONCE a client needs to authenticate.`,
        );
      }
      return fail(
        'wrong-credentials',
        t.credentials === 'rest'
          ? `Credentials refused: the server answered ${said} to the TURN REST username "${t.username}" although ` +
              'the request was signed with the nonce it had just issued. The --auth-secret does not match the ' +
              "server's static-auth-secret, the clocks differ by more than the credential lifetime, or the " +
              `server is rate-limiting this address after failed attempts. ${RATE_LIMIT_HINT}`
          : `Credentials refused: the server answered ${said} to user "${t.username}"${t.realm ? ` in realm "${t.realm}"` : ''} ` +
              'although the request was signed with the nonce it had just issued: wrong password or unknown user, ' +
              `or the server is rate-limiting this address after failed attempts. ${RATE_LIMIT_HINT}`,
      );
    case 438:
      return fail(
        'stale-nonce-loop',
        `The server keeps answering ${said}: it rejected ${o.challenges.filter((c) => c === 438).length + 1} ` +
          'requests in a row even with the nonce it had just issued. Its nonce handling is broken ' +
          '(coturn: check stale-nonce; a load balancer spreading one client over several servers does this too).',
      );
    case 403:
      return isPermission
        ? fail(
            'forbidden-peer',
            `The server forbids relaying to the peer (${said} on ${what}). The peer here is the server's own ` +
              'relayed address; a server that refuses it (coturn: loopback peers need allow-loopback-peers, ' +
              'private ones may be in denied-peer-ip) will also refuse peers in those ranges for real calls.',
          )
        : fail('forbidden', `The server refuses ${what} for this user or address (${said}).`);
    case 486:
      return fail(
        'quota-reached',
        `Allocation quota reached (${said}): this user already holds as many allocations as the server allows ` +
          '(coturn: user-quota / total-quota). Close stale sessions or raise the quota.',
      );
    case 508:
      return fail(
        'insufficient-capacity',
        `The server has no capacity left (${said} on ${what}): it ran out of relay ports or channels ` +
          '(coturn: min-port/max-port).',
      );
    case 442:
      return fail('unsupported-transport', `The server does not relay UDP (${said}).`);
    case 440:
      return o.step === 'allocate'
        ? familyRefused(o, t)
        : fail('error-response', `The server answered ${what} with ${said}.`);
    case 437:
      return fail('allocation-mismatch', `The server lost the allocation (${said} on ${what}).`);
    default:
      if (rejectedSignedRequest(o)) {
        return fail(
          'credentials-rejected-400',
          `The server answered ${what} with ${said} once it was signed (the unsigned request got a proper 401 ` +
            'challenge): likely wrong credentials. Some servers (pion/turn) reject credentials with 400, where ' +
            'RFC 8489 §9.2.5 says 401; check the user name and password.',
        );
      }
      return fail('error-response', `The server answered ${what} with ${said}.`);
  }
}

function lifetimeWords(s: number | null): string {
  return s === null ? 'no LIFETIME' : `lifetime ${s} s`;
}

function successDetail(o: RequestObservation): string {
  const auth = o.challenges.length > 0 ? `, after ${o.challenges.join(', ')}` : '';
  if (o.step === 'allocate' || o.step === 'peer-allocate') {
    const relayed = o.relayed ? `relayed ${formatAddress(o.relayed)}` : 'no relayed address';
    const mapped = o.mapped ? `, mapped ${formatAddress(o.mapped)}` : '';
    return `${relayed}${mapped}, ${lifetimeWords(o.lifetimeS)}${auth}`;
  }
  if (o.step === 'refresh') return lifetimeWords(o.lifetimeS);
  return `success${auth}`;
}

/**
 * True when the Refresh succeeded with LIFETIME 0 or none (its own `refresh-lifetime` finding): the
 * allocation expires at once (RFC 8656 §7.3), so whether the delete after it still finds it (success) or
 * not (437) is a race on the server's expiry timer, not a second fault.
 */
function expiredByRefresh(t: TurnTargetObservations): boolean {
  const refresh = firstRequest(t, 'refresh');
  return refresh?.success === true && !refresh.lifetimeS;
}

function judgeRequest(o: RequestObservation, t: TurnTargetObservations): Judged {
  const what = stepWords(o.step);
  if (o.step === 'family-allocate') return judgeFamilyAllocate(o, t);
  if (o.step === 'deleted-check') {
    const after = `after ${reportedMs(o.durationMs)} ms`;
    if (stillAllocated(o)) {
      return stepFailed(
        `the deleted allocation still answers CreatePermission ${after}`,
        fail(
          'allocation-not-deleted',
          `Refresh(LIFETIME 0) did not delete the allocation: ${Math.round(o.durationMs)} ms later the server ` +
            'still treats it as alive, so its relayed port stays taken until the allocation times out.',
        ),
      );
    }
    if (o.errorCode !== null) return stepOk(`gone ${after} (${saidWords(o)})`);
    if (o.failure?.kind === 'closed' || o.failure?.kind === 'error')
      return stepOk(`gone ${after} (the server dropped the connection)`);
    if (o.failure?.kind === 'timeout') {
      return {
        status: 'warn',
        detail: `no answer ${after} (${o.sent} sent): whether the allocation is gone is not known`,
        findings: [
          warn(
            'deleted-allocation-silent',
            'After Refresh(LIFETIME 0) the server answered the delete, then stayed silent for requests on the ' +
              `deleted allocation (${o.sent} sent over ${Math.round(o.durationMs)} ms) where RFC 8656 §5 says ` +
              '437 Allocation Mismatch (pion/turn 2.1 does this). Clients still work; whether the allocation ' +
              'was really freed was not observed.',
          ),
        ],
      };
    }
  }
  if ((o.step === 'delete' || o.step === 'peer-delete') && o.errorCode === 437 && o.sent > 1)
    return stepOk('gone (437 to a retransmission)');
  if (o.step === 'delete' && o.errorCode === 437 && expiredByRefresh(t))
    return stepOk('gone already (437): the Refresh before it answered lifetime 0, which expired it');
  if (o.failure) return stepFailed(o.failure.message, noResponse(o, t));
  if (!o.success) return stepFailed(saidWords(o), errorFinding(o, t));
  const findings: Finding[] = [];
  if (o.integrity === 'absent') {
    findings.push(
      fail(
        'integrity-missing',
        `The ${what} success response has no MESSAGE-INTEGRITY: libwebrtc (Chrome, Safari, most apps) discards ` +
          'such responses, so the call fails at this step even though the server said yes.',
      ),
    );
  } else if (o.integrity === 'invalid') {
    findings.push(
      fail(
        'integrity-invalid',
        `The ${what} success response carries a MESSAGE-INTEGRITY that does not match the credentials: clients ` +
          'discard it.',
      ),
    );
  }
  if ((o.step === 'allocate' || o.step === 'peer-allocate') && !o.relayed) {
    findings.push(
      fail(
        'relayed-address-missing',
        `The ${what} success response has no XOR-RELAYED-ADDRESS: nothing to relay through.`,
      ),
    );
  }
  if (o.step === 'refresh' && !o.lifetimeS) {
    findings.push(
      fail(
        'refresh-lifetime',
        `Refresh asked for ${REFRESH_LIFETIME_S} s and the server answered ${lifetimeWords(o.lifetimeS)}: a ` +
          'zero or missing LIFETIME means the allocation expires now, so clients that refresh lose their relay.',
      ),
    );
  }
  const integrityNote =
    o.integrity === 'absent'
      ? ' — no MESSAGE-INTEGRITY'
      : o.integrity === 'invalid'
        ? ' — bad MESSAGE-INTEGRITY'
        : '';
  return {
    status: findings.length > 0 ? 'fail' : 'ok',
    detail: `${successDetail(o)}${integrityNote}`,
    findings,
  };
}

const RECEIVED_WORDS = { 'data-indication': 'a Data indication', 'channel-data': 'ChannelData' } as const;

function judgeData(o: DataObservation, all: TurnObservation[]): Judged {
  const got = o.received
    ? `arrived as ${RECEIVED_WORDS[o.received]} in ${reportedMs(o.durationMs)} ms`
    : null;
  const sentWords = `sent ${o.sent}× as ${o.via === 'channel-data' ? 'ChannelData' : 'a Send indication'}`;
  if (o.step === 'send-indication' || o.step === 'peer-send-indication') {
    if (o.received) return stepOk(got!);
    return stepFailed(
      `never arrived (${sentWords})`,
      fail(
        'relay-no-data',
        'Data sent through the relay never reached the other allocation: the server accepts allocations and ' +
          'permissions but does not relay (a firewall between its relay ports, or relay-ip unreachable from itself).',
      ),
    );
  }
  const wanted = o.received === 'channel-data';
  if (wanted) return stepOk(got!);
  const isBound = o.step.endsWith('bound-send-indication');
  const detail = got ? `${got}, not ChannelData` : `never arrived (${sentWords})`;
  if (isBound) return { status: 'fail', detail, findings: [] };
  const boundStep = o.step === 'channel-data' ? 'bound-send-indication' : 'peer-bound-send-indication';
  const bound = all.find((x): x is DataObservation => x.step === boundStep);
  const findings: Finding[] = [];
  if (o.received === null && bound?.received) {
    findings.push(
      fail(
        'channel-data-ignored',
        'The server ignores ChannelData from the client: data sent on a bound channel never left the relay, ' +
          'while a Send indication on the same path did. Clients switch to ChannelData once a channel is bound, ' +
          'so media stops after the first seconds.',
      ),
    );
  }
  if (o.received === 'data-indication' || bound?.received === 'data-indication') {
    findings.push(
      fail(
        'no-channel-data',
        'The server sends relayed data only as Data indications although a channel is bound: it never sends ' +
          'ChannelData (RFC 8656 §12.6), which costs 36 bytes per packet and breaks clients that expect it.',
      ),
    );
  } else if (o.received === null && !bound?.received) {
    findings.push(
      fail(
        'no-channel-data',
        'No ChannelData from the server: once a channel is bound, relayed data does not arrive at all.',
      ),
    );
  }
  return { status: 'fail', detail, findings };
}

function judge(o: TurnObservation, t: TurnTargetObservations): Judged {
  switch (o.step) {
    case 'resolve':
      return judgeResolve(o);
    case 'connect':
      return judgeConnect(o, t);
    case 'send-indication':
    case 'peer-send-indication':
    case 'channel-data':
    case 'peer-channel-data':
    case 'bound-send-indication':
    case 'peer-bound-send-indication':
      return judgeData(o, t.observations);
    default:
      return judgeRequest(o, t);
  }
}

/**
 * Judges one target's observations (pure): a verdict and detail per step in the order of RFC 8656 use
 * (steps that could not run are `skipped`, naming the failure before them), and the findings, one per
 * code, each in plain words with what to change. Adds `relay-address-private` (relayed address private or
 * loopback while the server is reached on a public one) and a `tls-not-verified` warning under `--insecure`.
 * `ok` is true when no finding is a failure.
 */
export function diagnoseTarget(t: TurnTargetObservations): TurnTargetReport {
  const judged = new Map<TurnStepName, TurnStep>();
  const diagnoses = new Map<TurnDiagnosisCode, TurnDiagnosis>();
  const add = (f: Finding, step: TurnStepName | null): void => {
    if (!diagnoses.has(f.code)) diagnoses.set(f.code, { ...f, step });
  };
  const certificate = t.tlsAudit ? judgeTlsAudit(t.tlsAudit, t.host, t.ca) : null;
  if (t.insecure) {
    add({ code: 'tls-not-verified', severity: 'warn', message: notVerifiedWords(certificate) }, 'connect');
  }
  for (const o of t.observations) {
    const j = judge(o, t);
    const sent = 'sent' in o ? o.sent : 0;
    judged.set(o.step, {
      name: o.step,
      status: j.status,
      durationMs: reportedMs(o.durationMs),
      sent,
      detail: j.detail,
    });
    for (const f of j.findings) add(f, o.step);
  }
  const allocate = firstRequest(t, 'allocate');
  const server = resolvedServer(t);
  const scope = relayScopeFinding(server, allocate?.relayed ?? null);
  if (scope) add(scope, 'allocate');
  const quality = t.quality ? summariseQuality(t.quality) : undefined;
  if (quality) for (const f of judgeQuality(quality, t.transport)) add(f, null);
  const reach = judgeOutsideReach(t);
  for (const f of reach?.findings ?? []) add(f, null);
  if (certificate) for (const f of certificateFindings(certificate)) add(f, 'connect');
  const order = t.transport === 'udp' ? UDP_STEPS : STREAM_STEPS;
  const steps: TurnStep[] = [];
  let firstFailure: TurnStepName | null = null;
  for (const name of order) {
    const step = judged.get(name);
    if (step) {
      if (step.status === 'fail' && !firstFailure) firstFailure = step.name;
      steps.push(step);
    } else if (!OPTIONAL_STEPS.has(name)) {
      const why = firstFailure ? `not run: ${firstFailure} failed` : 'not run';
      steps.push({ name, status: 'skipped', durationMs: null, sent: 0, detail: why });
    }
  }
  const list = [...diagnoses.values()];
  const report: TurnTargetReport = {
    url: t.url,
    transport: t.transport,
    server,
    ok: !list.some((d) => d.severity === 'fail') && !steps.some((s) => s.status === 'fail'),
    credentials: t.credentials,
    username: t.username,
    realm: t.realm,
    tlsVerified: t.transport === 'tls' ? !t.insecure : null,
    relayedAddress: allocate?.relayed ?? null,
    peerRelayedAddress: firstRequest(t, 'peer-allocate')?.relayed ?? null,
    mappedAddress: allocate?.mapped ?? null,
    lifetimeS: allocate?.success ? allocate.lifetimeS : null,
    relayFamilies: relayFamilies(t),
    steps,
    diagnoses: list,
    durationMs: reportedMs(t.durationMs)!,
    ...(quality && { quality }),
    ...(reach && { outsideReach: reach.reach }),
    ...(t.node ? { node: { ...t.node, rttMs: reportedMs(t.node.rttMs) } } : {}),
    ...(certificate ? { certificate } : {}),
    ...(t.alternate ? { alternate: t.alternate } : {}),
    ...(t.viaProxy ? { viaProxy: true as const } : {}),
  };
  const local = localLimitation(t);
  return local ? notCheckedHere(report, local) : report;
}

/** The verdict of a whole run: one line saying which checks failed and the first reason of each. */
function summarize(targets: TurnTargetReport[]): string {
  const failed = targets.filter((t) => !t.ok);
  if (failed.length === 0)
    return `All ${targets.length} TURN check${targets.length === 1 ? '' : 's'} passed: allocate, permissions, relay both ways, channels, refresh, delete.`;
  const reasons = failed.map((t) => {
    const first = t.diagnoses.find((d) => d.severity === 'fail');
    return `${t.url}${t.node ? ` at ${t.node.address}` : ''}: ${first?.code ?? 'failed'}`;
  });
  return `${failed.length} of ${targets.length} TURN checks failed — ${reasons.join('; ')}.`;
}

/**
 * The `turn-check` report (schemaVersion 1) of every target's observations, judged by {@link diagnoseTarget}.
 * @param startedAt ISO 8601 time the run began.
 * @param durationMs wall time of the whole run, in ms.
 * @param proxy the HTTP CONNECT proxy TCP/TLS went through, if any (then `withNetworkVerdict` may name it).
 */
export function turnCheckReport(
  observed: TurnTargetObservations[],
  startedAt: string,
  durationMs: number,
  proxy?: ProxyUse,
): TurnCheckReport {
  const targets = observed.map(diagnoseTarget);
  return withNetworkVerdict({
    schemaVersion: 1,
    tool: 'ice-doctor',
    kind: 'turn-check',
    startedAt,
    ok: targets.every((t) => t.ok),
    summary: summarize(targets),
    targets,
    durationMs: reportedMs(durationMs)!,
    ...(proxy ? { proxy } : {}),
  });
}
