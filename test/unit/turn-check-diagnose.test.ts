import { describe, expect, it } from 'vitest';
import type { ConnectFacts } from '../../src/client/transport/stream-connect.js';
import { addressScope } from '../../src/client/turn-check/address-scope.js';
import { diagnoseTarget, turnCheckReport } from '../../src/client/turn-check/diagnose.js';
import type {
  DataObservation,
  RequestObservation,
  TurnObservation,
  TurnTargetObservations,
} from '../../src/client/turn-check/observations.js';
import {
  type TurnDiagnosisCode,
  turnCheckReportSchema,
  turnStepNameSchema,
} from '../../src/report/schema.js';
import { addr, req, target } from '../support/turn-observations.js';

const SERVER = addr('203.0.113.10', 3478);
const RELAY_A = addr('203.0.113.10', 50000);
const RELAY_B = addr('203.0.113.10', 50002);

function err(
  step: RequestObservation['step'],
  code: number,
  reason: string,
  over: Partial<RequestObservation> = {},
) {
  return req(step, { success: false, errorCode: code, errorReason: reason, integrity: null, ...over });
}

function data(
  step: DataObservation['step'],
  received: DataObservation['received'],
  over: Partial<DataObservation> = {},
) {
  const via = step.includes('channel-data') ? 'channel-data' : 'send-indication';
  return {
    step,
    durationMs: 0.5,
    sent: received ? 1 : 4,
    via,
    received,
    failure: null,
    ...over,
  } as DataObservation;
}

/** Every observation of a check that passes, with overrides by step. */
function passing(
  over: Partial<Record<TurnObservation['step'], TurnObservation | null>> = {},
): TurnObservation[] {
  const all: TurnObservation[] = [
    { step: 'resolve', durationMs: 0.1, address: SERVER, error: null },
    req('allocate', {
      relayed: RELAY_A,
      mapped: addr('198.51.100.7', 40000),
      lifetimeS: 600,
      challenges: [401],
      sent: 2,
    }),
    req('peer-allocate', { relayed: RELAY_B, lifetimeS: 600, challenges: [401], sent: 2 }),
    req('create-permission'),
    req('peer-create-permission'),
    data('send-indication', 'data-indication'),
    data('peer-send-indication', 'data-indication'),
    req('channel-bind'),
    req('peer-channel-bind'),
    data('channel-data', 'channel-data'),
    data('peer-channel-data', 'channel-data'),
    req('refresh', { lifetimeS: 600 }),
    req('delete', { lifetimeS: 0 }),
    err('deleted-check', 437, 'Allocation Mismatch', { durationMs: 1004 }),
    req('peer-delete', { lifetimeS: 0 }),
    err('family-allocate', 440, 'Address Family not Supported'),
  ];
  const out: TurnObservation[] = [];
  for (const o of all) {
    const replaced = o.step in over ? over[o.step] : o;
    if (replaced) out.push(replaced);
  }
  for (const [step, o] of Object.entries(over)) if (o && !all.some((x) => x.step === step)) out.push(o);
  return out;
}

const codes = (t: TurnTargetObservations): TurnDiagnosisCode[] =>
  diagnoseTarget(t).diagnoses.map((d) => d.code);

describe('diagnoseTarget: a passing check', () => {
  it('is ok, every step ok in RFC order, addresses and lifetime reported, no diagnosis', () => {
    const r = diagnoseTarget(target(passing()));
    expect(r.ok).toBe(true);
    expect(r.diagnoses).toEqual([]);
    // The schema's order, less connect (UDP) and the bound-send-indication steps (run only on trouble).
    expect(r.steps.map((s) => s.name)).toEqual(
      turnStepNameSchema.options.filter((n) => n !== 'connect' && !n.includes('bound-')),
    );
    expect(r.steps.map((s) => s.name).slice(0, 3)).toEqual(['resolve', 'allocate', 'peer-allocate']);
    expect(r.steps.every((s) => s.status === 'ok')).toBe(true);
    expect(r).toMatchObject({
      server: SERVER,
      relayedAddress: RELAY_A,
      peerRelayedAddress: RELAY_B,
      lifetimeS: 600,
      tlsVerified: null,
      relayFamilies: { IPv4: true, IPv6: false },
    });
    expect(r.steps.find((s) => s.name === 'allocate')).toMatchObject({ durationMs: 1.23, sent: 2 });
    expect(r.steps.find((s) => s.name === 'deleted-check')?.detail).toBe(
      'gone after 1004 ms (437 Allocation Mismatch)',
    );
  });

  it('over TCP/TLS the connect step follows resolve', () => {
    const obs = passing();
    obs.splice(1, 0, { step: 'connect', durationMs: 3, errorCode: null, facts: null, plainStun: null });
    const r = diagnoseTarget(target(obs, { transport: 'tls', url: 'turns:turn.example.org:5349' }));
    expect(r.steps.slice(0, 3).map((s) => s.name)).toEqual(['resolve', 'connect', 'allocate']);
    expect(r.steps[1]?.detail).toBe('TLS connected, certificate verified');
    expect(r.tlsVerified).toBe(true);
    expect(r.ok).toBe(true);
  });

  it('--insecure over TLS passes with a tls-not-verified warning', () => {
    const obs = passing();
    obs.splice(1, 0, { step: 'connect', durationMs: 3, errorCode: null, facts: null, plainStun: null });
    const r = diagnoseTarget(target(obs, { transport: 'tls', insecure: true }));
    expect(r.ok).toBe(true);
    expect(r.tlsVerified).toBe(false);
    expect(r.diagnoses).toEqual([expect.objectContaining({ code: 'tls-not-verified', severity: 'warn' })]);
  });
});

describe('diagnoseTarget: failures, each named by its own code', () => {
  it('401 to a request signed with the fresh nonce: wrong credentials, later steps skipped', () => {
    const r = diagnoseTarget(
      target([
        { step: 'resolve', durationMs: 0.1, address: SERVER, error: null },
        err('allocate', 401, 'Unauthorized', { challenges: [401], sent: 2 }),
      ]),
    );
    expect(r.ok).toBe(false);
    expect(r.diagnoses).toHaveLength(1);
    expect(r.diagnoses[0]).toMatchObject({ code: 'wrong-credentials', severity: 'fail', step: 'allocate' });
    expect(r.diagnoses[0]?.message).toMatch(/user "alice" in realm "example.org"/);
    expect(r.diagnoses[0]?.message).toMatch(
      /wrong password or unknown user, or the server is rate-limiting this address after failed attempts/,
    );
    const skipped = r.steps.filter((s) => s.status === 'skipped');
    expect(skipped.map((s) => s.name)).toContain('peer-delete');
    expect(skipped[0]?.detail).toBe('not run: allocate failed');
  });

  it('REST credentials refused: the message points at the shared secret and clocks', () => {
    const t = target([err('allocate', 401, 'Unauthorized', { challenges: [401] })], {
      credentials: 'rest',
      username: '1700000000:ice-doctor',
    });
    const d = diagnoseTarget(t).diagnoses[0]!;
    expect(d.code).toBe('wrong-credentials');
    expect(d.message).toMatch(/static-auth-secret/);
  });

  it('401 without REALM/NONCE to retry with: bad auth challenge', () => {
    expect(codes(target([err('allocate', 401, 'Unauthorized', { authenticated: false })]))).toEqual([
      'bad-auth-challenge',
    ]);
  });

  it('438 after the retries: stale nonce loop, counting the rejections', () => {
    const d = diagnoseTarget(target([err('allocate', 438, 'Stale Nonce', { challenges: [401, 438, 438] })]))
      .diagnoses[0]!;
    expect(d.code).toBe('stale-nonce-loop');
    expect(d.message).toMatch(/rejected 3 requests in a row/);
  });

  it.each([
    [486, 'Allocation Quota Reached', 'allocate', 'quota-reached'],
    [508, 'Insufficient Capacity', 'allocate', 'insufficient-capacity'],
    [442, 'Unsupported Transport Protocol', 'allocate', 'unsupported-transport'],
    [403, 'Forbidden', 'allocate', 'forbidden'],
    [403, 'Forbidden IP', 'create-permission', 'forbidden-peer'],
    [403, 'Forbidden IP', 'peer-channel-bind', 'forbidden-peer'],
    [437, 'Allocation Mismatch', 'refresh', 'allocation-mismatch'],
    [500, 'Server Error', 'channel-bind', 'error-response'],
  ] as const)('%i %s on %s → %s', (code, reason, step, expected) => {
    const r = diagnoseTarget(target(passing({ [step]: err(step, code, reason) })));
    expect(r.ok).toBe(false);
    expect(r.diagnoses.map((d) => d.code)).toContain(expected);
    expect(r.steps.find((s) => s.name === step)).toMatchObject({
      status: 'fail',
      detail: `${code} ${reason}`,
    });
  });

  it('a forbidden peer on both allocations is one diagnosis, at the first step', () => {
    const r = diagnoseTarget(
      target(
        passing({
          'create-permission': err('create-permission', 403, 'Forbidden IP'),
          'peer-create-permission': err('peer-create-permission', 403, 'Forbidden IP'),
          'send-indication': null,
          'peer-send-indication': null,
          'channel-bind': null,
          'peer-channel-bind': null,
          'channel-data': null,
          'peer-channel-data': null,
        }),
      ),
    );
    expect(r.diagnoses).toEqual([
      expect.objectContaining({ code: 'forbidden-peer', step: 'create-permission' }),
    ]);
    expect(r.steps.find((s) => s.name === 'channel-data')).toMatchObject({
      status: 'skipped',
      detail: 'not run: create-permission failed',
    });
  });

  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls-self-signed', /self-signed/],
    ['CERT_HAS_EXPIRED', 'tls-expired', /expired/],
    ['CERT_NOT_YET_VALID', 'tls-not-yet-valid', /not valid yet/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-wrong-name', /does not name this host/],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls-unknown-ca', /leads to a CA this host does not trust/],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls-unknown-ca', /self-signed root/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls-issuer-unknown', /--ca FILE.*full chain/],
    ['ECONNREFUSED', 'tcp-port-closed', /closed \(connection refused\)/],
    ['timeout', 'connect-timeout', /No TCP connection/],
    ['EHOSTUNREACH', 'connection-failed', /host unreachable/],
  ] as const)('connect error %s → %s', (errorCode, code, words) => {
    const r = diagnoseTarget(
      target(
        [
          { step: 'resolve', durationMs: 0.1, address: SERVER, error: null },
          { step: 'connect', durationMs: 12, errorCode, facts: null, plainStun: null },
        ],
        { transport: 'tls' },
      ),
    );
    expect(r.diagnoses).toHaveLength(1);
    expect(r.diagnoses[0]).toMatchObject({ code, step: 'connect' });
    expect(r.diagnoses[0]?.message).toMatch(words);
    expect(r.steps.filter((s) => s.status !== 'skipped').map((s) => s.name)).toEqual(['resolve', 'connect']);
  });

  /** A failed TLS connect step with the facts `openStreamSocket` gathered. */
  function tlsConnect(errorCode: string, facts: Partial<ConnectFacts>, plainStun: boolean | null = null) {
    return {
      step: 'connect' as const,
      durationMs: 12,
      errorCode,
      facts: { tcpConnectMs: 0.4, tlsWaitMs: 1000, tlsFailure: null, certificate: null, ...facts },
      plainStun,
    };
  }
  const chainOf = (...c: [string, string][]) => ({
    chain: c.map(([subject, issuer]) => ({ subject, issuer })),
    caIssuersUrl: null,
  });

  it.each([
    [
      'a leaf alone from a private root (no AIA): issuer unknown, private CA the likelier, --ca offered',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      chainOf(['CN=leaf', 'CN=Private Root']),
      false,
      'tls-issuer-unknown',
      /issued by "CN=Private Root", which this host does not know: a private CA, or a missing intermediate.*--ca FILE/,
    ],
    [
      'a leaf alone whose CA publishes its issuer (AIA): incomplete chain',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      { ...chainOf(['CN=leaf', 'CN=R3']), caIssuersUrl: 'http://r3.i.lencr.org/' },
      false,
      'tls-incomplete-chain',
      /without the intermediate "CN=R3", which its CA publishes at http:\/\/r3\.i\.lencr\.org\/ \(AIA\)/,
    ],
    [
      'a leaf alone whose issuer is not in --ca either: incomplete chain',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      chainOf(['CN=leaf', 'CN=Intermediate']),
      true,
      'tls-incomplete-chain',
      /neither sent by the server nor among the --ca certificates/,
    ],
    [
      'the whole chain up to a private root: unknown CA, named',
      'SELF_SIGNED_CERT_IN_CHAIN',
      chainOf(['CN=leaf', 'CN=Private Root'], ['CN=Private Root', 'CN=Private Root']),
      false,
      'tls-unknown-ca',
      /ends in the root "CN=Private Root", which this host does not trust: a private CA/,
    ],
    [
      'leaf and intermediate, root not sent and not trusted: unknown CA, named',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      chainOf(['CN=leaf', 'CN=Intermediate'], ['CN=Intermediate', 'CN=Private Root']),
      false,
      'tls-unknown-ca',
      /stops at "CN=Intermediate", issued by "CN=Private Root", which this host does not trust/,
    ],
  ])('%s', (_, errorCode, certificate, customCa, code, words) => {
    const r = diagnoseTarget(
      target([tlsConnect(errorCode, { certificate })], { transport: 'tls', customCa }),
    );
    expect(r.diagnoses.map((d) => d.code)).toEqual([code]);
    expect(r.diagnoses[0]?.message).toMatch(words);
  });

  it.each([
    [
      true,
      /TCP connected in 0\.4 ms to .*, but no TLS handshake within 1000 ms: this is a plain turn: port \(it answers STUN over plain TCP\)\. Use turn:turn\.example\.org:5349\?transport=tcp/,
    ],
    [false, /this looks like a plain turn: port, but it did not answer STUN over plain TCP either/],
    [null, /but no TLS handshake within 1000 ms: this looks like a plain turn: port\.$/],
  ])('TCP up, TLS silent (plain STUN answered: %s): tls-no-handshake', (plainStun, words) => {
    const r = diagnoseTarget(
      target([tlsConnect('tls-no-handshake', { tlsFailure: 'timeout' }, plainStun)], {
        transport: 'tls',
        url: 'turns:turn.example.org:5349',
      }),
    );
    expect(r.diagnoses.map((d) => d.code)).toEqual(['tls-no-handshake']);
    expect(r.diagnoses[0]?.message).toMatch(words);
    expect(r.steps.find((s) => s.name === 'connect')?.detail).toBe(
      'TCP connected in 0.4 ms, but no TLS handshake within 1000 ms',
    );
  });

  it('TCP up, then reset on the ClientHello: tls-no-handshake naming the reset', () => {
    const r = diagnoseTarget(
      target([tlsConnect('tls-no-handshake', { tlsFailure: 'ECONNRESET' }, true)], { transport: 'tls' }),
    );
    expect(r.diagnoses[0]?.message).toMatch(/answered the ClientHello with connection reset .*ECONNRESET/);
  });

  it('TLS certificate problems offer --insecure', () => {
    const r = diagnoseTarget(
      target(
        [
          {
            step: 'connect',
            durationMs: 12,
            errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT',
            facts: null,
            plainStun: null,
          },
        ],
        {
          transport: 'tls',
        },
      ),
    );
    expect(r.diagnoses[0]?.message).toMatch(/--insecure/);
  });

  it('UDP silence on Allocate: udp-silent with the time and the number of requests', () => {
    const r = diagnoseTarget(
      target([
        { step: 'resolve', durationMs: 0.1, address: SERVER, error: null },
        req('allocate', {
          success: false,
          failure: { kind: 'timeout', message: 'no reply' },
          durationMs: 2750.4,
          sent: 4,
          integrity: null,
        }),
      ]),
    );
    expect(r.diagnoses[0]).toMatchObject({ code: 'udp-silent' });
    expect(r.diagnoses[0]?.message).toMatch(/within 2750 ms \(4 requests\)/);
  });

  it.each([
    ['udp', 'timeout', 'allocate', 'udp-silent'],
    ['tcp', 'timeout', 'allocate', 'no-answer'],
    ['udp', 'timeout', 'refresh', 'no-answer'],
    ['udp', 'unreachable', 'allocate', 'udp-port-unreachable'],
    ['tcp', 'closed', 'allocate', 'connection-closed'],
    ['tcp', 'garbage', 'allocate', 'unparseable-response'],
    ['udp', 'unparseable', 'allocate', 'unparseable-response'],
    ['udp', 'aborted', 'channel-bind', 'deadline-exceeded'],
    ['tcp', 'error', 'refresh', 'connection-failed'],
  ] as const)('%s %s on %s → %s', (transport, kind, step, code) => {
    const failed = req(step, { success: false, failure: { kind, message: 'x' }, integrity: null });
    expect(codes(target(passing({ [step]: failed }), { transport }))).toEqual([code]);
  });

  it('a success response without MESSAGE-INTEGRITY fails the step (libwebrtc discards it)', () => {
    const r = diagnoseTarget(
      target(passing({ 'channel-bind': req('channel-bind', { integrity: 'absent' }) })),
    );
    expect(r.ok).toBe(false);
    expect(r.steps.find((s) => s.name === 'channel-bind')).toMatchObject({
      status: 'fail',
      detail: 'success — no MESSAGE-INTEGRITY',
    });
    expect(r.diagnoses[0]).toMatchObject({ code: 'integrity-missing', step: 'channel-bind' });
    expect(r.diagnoses[0]?.message).toMatch(/ChannelBind.*libwebrtc/);
  });

  it('a MESSAGE-INTEGRITY that does not verify is integrity-invalid', () => {
    expect(
      codes(target(passing({ refresh: req('refresh', { lifetimeS: 600, integrity: 'invalid' }) }))),
    ).toEqual(['integrity-invalid']);
  });

  it('an unauthenticated server (no challenge) is not blamed for missing integrity', () => {
    const open = req('allocate', { relayed: RELAY_A, lifetimeS: 600, authenticated: false, integrity: null });
    expect(diagnoseTarget(target(passing({ allocate: open }))).ok).toBe(true);
  });

  it('Allocate success without XOR-RELAYED-ADDRESS', () => {
    expect(codes(target([req('allocate', { lifetimeS: 600 })]))).toEqual(['relayed-address-missing']);
  });

  it.each([
    ['10.0.0.5', 'private'],
    ['127.0.0.1', 'loopback'],
    ['172.31.255.1', 'private'],
    ['100.64.1.1', 'private'],
    ['169.254.10.1', 'link-local'],
    ['fd00::5', 'private'],
  ])('relayed %s while the server is public: relay-address-private (%s)', (ip, scope) => {
    const allocate = req('allocate', { relayed: addr(ip, 50000), lifetimeS: 600 });
    const r = diagnoseTarget(target(passing({ allocate })));
    expect(r.ok).toBe(false);
    const d = r.diagnoses.find((x) => x.code === 'relay-address-private')!;
    expect(d.message).toContain(`a ${scope} address`);
    expect(d.message).toContain('external-ip=203.0.113.10/');
  });

  it('a private relayed address is fine when the server itself is reached privately', () => {
    const allocate = req('allocate', { relayed: addr('10.0.0.5', 50000), lifetimeS: 600 });
    const resolve = {
      step: 'resolve',
      durationMs: 0.1,
      address: addr('10.0.0.5', 3478),
      error: null,
    } as const;
    expect(diagnoseTarget(target(passing({ resolve, allocate }))).ok).toBe(true);
  });

  it('Send indications that never arrive: relay-no-data', () => {
    const r = diagnoseTarget(target(passing({ 'send-indication': data('send-indication', null) })));
    expect(r.diagnoses.map((d) => d.code)).toEqual(['relay-no-data']);
    expect(r.steps.find((s) => s.name === 'send-indication')?.detail).toBe(
      'never arrived (sent 4× as a Send indication)',
    );
  });

  it('ChannelData dropped but a bound Send indication arrives as ChannelData: channel-data-ignored only', () => {
    const r = diagnoseTarget(
      target(
        passing({
          'channel-data': data('channel-data', null),
          'bound-send-indication': data('bound-send-indication', 'channel-data'),
        }),
      ),
    );
    expect(r.diagnoses.map((d) => d.code)).toEqual(['channel-data-ignored']);
    expect(r.steps.map((s) => s.name)).toContain('bound-send-indication');
    expect(r.steps.find((s) => s.name === 'bound-send-indication')?.status).toBe('ok');
  });

  it('ChannelData delivered as a Data indication: no-channel-data', () => {
    expect(
      codes(target(passing({ 'peer-channel-data': data('peer-channel-data', 'data-indication') }))),
    ).toEqual(['no-channel-data']);
  });

  it('ChannelData dropped and the bound Send indication arrives as a Data indication: both', () => {
    const r = diagnoseTarget(
      target(
        passing({
          'channel-data': data('channel-data', null),
          'bound-send-indication': data('bound-send-indication', 'data-indication'),
        }),
      ),
    );
    expect(r.diagnoses.map((d) => d.code)).toEqual(['channel-data-ignored', 'no-channel-data']);
  });

  it('nothing at all after ChannelBind: no-channel-data, "not at all"', () => {
    const r = diagnoseTarget(
      target(
        passing({
          'channel-data': data('channel-data', null),
          'bound-send-indication': data('bound-send-indication', null),
        }),
      ),
    );
    expect(r.diagnoses.map((d) => d.code)).toEqual(['no-channel-data']);
    expect(r.diagnoses[0]?.message).toMatch(/does not arrive at all/);
  });

  it('Refresh answered with LIFETIME 0: refresh-lifetime', () => {
    const r = diagnoseTarget(target(passing({ refresh: req('refresh', { lifetimeS: 0 }) })));
    expect(r.diagnoses.map((d) => d.code)).toEqual(['refresh-lifetime']);
    expect(r.diagnoses[0]?.message).toMatch(/asked for 600 s and the server answered lifetime 0 s/);
  });

  it('Refresh answered LIFETIME 0 and the allocation expired before the delete (437): one finding, delete ok', () => {
    const r = diagnoseTarget(
      target(
        passing({
          refresh: req('refresh', { lifetimeS: 0 }),
          delete: err('delete', 437, 'Allocation Mismatch'),
          'deleted-check': null,
        }),
      ),
    );
    expect(r.diagnoses.map((d) => d.code)).toEqual(['refresh-lifetime']);
    expect(r.steps.find((x) => x.name === 'delete')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^gone already \(437\): the Refresh before it answered lifetime 0/),
    });
  });

  it('437 to the delete after a Refresh that kept the allocation: allocation-mismatch', () => {
    const r = diagnoseTarget(
      target(passing({ delete: err('delete', 437, 'Allocation Mismatch'), 'deleted-check': null })),
    );
    expect(r.diagnoses.map((d) => d.code)).toEqual(['allocation-mismatch']);
  });

  it('the allocation still alive after Refresh(0): allocation-not-deleted', () => {
    const r = diagnoseTarget(
      target(passing({ 'deleted-check': req('deleted-check', { durationMs: 2010, sent: 9 }) })),
    );
    expect(r.diagnoses.map((d) => d.code)).toEqual(['allocation-not-deleted']);
    expect(r.diagnoses[0]?.message).toMatch(/2010 ms later/);
  });

  it.each([
    [err('deleted-check', 400, 'Bad Request'), 'gone after 1.23 ms (400 Bad Request)'],
    [
      req('deleted-check', { success: false, integrity: null, failure: { kind: 'closed', message: 'x' } }),
      'gone after 1.23 ms (the server dropped the connection)',
    ],
  ])('the deletion is proven by any other answer or a dropped connection', (o, detail) => {
    const r = diagnoseTarget(target(passing({ 'deleted-check': o })));
    expect(r.ok).toBe(true);
    expect(r.steps.find((s) => s.name === 'deleted-check')?.detail).toBe(detail);
  });

  it('silence for the deleted allocation (pion/turn 2.1, no 437): a warn step and finding, the check passes', () => {
    const silent = req('deleted-check', {
      success: false,
      integrity: null,
      durationMs: 2600,
      sent: 7,
      failure: { kind: 'timeout', message: 'no reply' },
    });
    const r = diagnoseTarget(target(passing({ 'deleted-check': silent })));
    expect(r.ok).toBe(true);
    expect(r.steps.find((s) => s.name === 'deleted-check')).toMatchObject({
      status: 'warn',
      detail: 'no answer after 2600 ms (7 sent): whether the allocation is gone is not known',
    });
    expect(r.diagnoses).toEqual([
      expect.objectContaining({ code: 'deleted-allocation-silent', severity: 'warn', step: 'deleted-check' }),
    ]);
    expect(r.diagnoses[0]?.message).toMatch(/RFC 8656 §5 says 437/);
  });

  it('400 to the signed Allocate after a 401 challenge: likely wrong credentials (pion/turn)', () => {
    const r = diagnoseTarget(target([err('allocate', 400, 'Bad Request', { challenges: [401], sent: 2 })]));
    expect(r.ok).toBe(false);
    expect(r.diagnoses.map((d) => d.code)).toEqual(['credentials-rejected-400']);
    expect(r.diagnoses[0]?.message).toMatch(/likely wrong credentials.*RFC 8489 §9\.2\.5 says 401/);
  });

  it('a 400 to an unsigned request stays a plain error-response', () => {
    const r = diagnoseTarget(
      target([err('allocate', 400, 'Bad Request', { authenticated: false, integrity: null })]),
    );
    expect(r.diagnoses.map((d) => d.code)).toEqual(['error-response']);
  });

  it('an IPv6 server refusing IPv6 (440) but relaying IPv4: address-family-not-relayed, families reported', () => {
    const v6 = addr('2001:db8::10', 3478);
    const r = diagnoseTarget(
      target([
        { step: 'resolve', durationMs: 0.1, address: v6, error: null },
        err('allocate', 440, 'Address Family not Supported', { challenges: [401], sent: 2 }),
        req('family-allocate', { relayed: addr('203.0.113.10', 50000), lifetimeS: 600 }),
      ]),
    );
    expect(r.ok).toBe(false);
    expect(r.diagnoses.map((d) => d.code)).toEqual(['address-family-not-relayed']);
    expect(r.diagnoses[0]?.message).toMatch(
      /does not relay IPv6 \(440 Address Family not Supported to Allocate with REQUESTED-ADDRESS-FAMILY IPv6\).*It does relay IPv4/,
    );
    expect(r.relayFamilies).toEqual({ IPv4: true, IPv6: false });
    expect(r.steps.find((s) => s.name === 'family-allocate')).toMatchObject({
      status: 'ok',
      detail: 'relays IPv4 too: relayed 203.0.113.10:50000',
    });
  });

  it('family-allocate without a clear answer (420 from a pre-RFC 6156 server): a warn step, family unknown', () => {
    const r = diagnoseTarget(
      target(passing({ 'family-allocate': err('family-allocate', 420, 'Unknown Attribute') })),
    );
    expect(r.ok).toBe(true);
    expect(r.relayFamilies).toEqual({ IPv4: true, IPv6: null });
    expect(r.steps.find((s) => s.name === 'family-allocate')).toMatchObject({
      status: 'warn',
      detail: 'whether it relays IPv6 is not known (420 Unknown Attribute)',
    });
  });

  it('resolve failure: resolve-failed, nothing else runs', () => {
    const r = diagnoseTarget(
      target([
        {
          step: 'resolve',
          durationMs: 2,
          address: null,
          error: 'nope.invalid: cannot resolve (ENOTFOUND)',
        },
      ]),
    );
    expect(r.diagnoses.map((d) => d.code)).toEqual(['resolve-failed']);
    expect(r.server).toBeNull();
    expect(r.steps.filter((s) => s.status === 'skipped')).toHaveLength(r.steps.length - 1);
  });
});

describe('turnCheckReport', () => {
  it('matches the schema; ok only when every target is; the summary names each failure', () => {
    const good = target(passing());
    const bad = target([err('allocate', 401, 'Unauthorized', { challenges: [401] })], {
      url: 'turn:turn.example.org:3478?transport=tcp',
      transport: 'tcp',
    });
    const r = turnCheckReportSchema.parse(
      turnCheckReport([good, bad], '2024-01-01T00:00:00.000Z', 1234.5678),
    );
    expect(r.ok).toBe(false);
    expect(r.durationMs).toBe(1234.57);
    expect(r.summary).toBe(
      '1 of 2 TURN checks failed — turn:turn.example.org:3478?transport=tcp: wrong-credentials.',
    );
    expect(turnCheckReport([good], '2024-01-01T00:00:00.000Z', 1).summary).toMatch(
      /^All 1 TURN check passed/,
    );
  });
});

describe('addressScope', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['127.0.0.53', 'loopback'],
    ['::1', 'loopback'],
    ['192.168.1.1', 'private'],
    ['172.15.0.1', 'public'],
    ['::ffff:10.1.2.3', 'private'],
    ['0.0.0.0', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['2001:db8::1', 'public'],
  ])('%s is %s', (ip, scope) => {
    expect(addressScope(ip)).toBe(scope);
  });
});
