import type { BrowserCandidate, BrowserReport, PathKind, PathResult } from '../../report/browser-schema.js';
import { hostPort } from './address.js';
import { parseIceUrl } from './ice-url.js';
import { ipv6Statement } from './ipv6-statement.js';
import { outsideReachStatements } from './outside-reach.js';

/**
 * The plain answer for a non-expert, above everything technical: a short row of statements ("Can calls connect
 * from here?", "Direct calls", "Relayed over UDP", "Relayed over TCP/TLS", and whether a relay is reachable
 * from outside the TURN host when that was tried, outside-reach.ts), each with a mark, and what to do in
 * words, with the real server hosts and ports of the tested URLs. Judged from the verdict's code (verdict.ts)
 * and the observations behind it; a statement whose evidence is missing is marked `unknown` with the reason,
 * never green or red on a guess. Pure (no DOM).
 */

/**
 * A statement's mark: `ok` (green, works), `warn` (amber, works with a limit), `fail` (red, does not work from
 * here), `unknown` (grey, not known: the evidence is missing, and the text says why).
 */
export type Mark = 'ok' | 'warn' | 'fail' | 'unknown';

/** One plain statement: `key` is stable (`calls`, `servers`, `direct`, `relay-udp`, `relay-stream`). */
export interface Statement {
  key: string;
  mark: Mark;
  /** The statement, one short sentence. */
  text: string;
  /** Why, in a few words; absent when the statement says it all. */
  why?: string;
}

/** The plain answer: statements in display order, and the things to do (empty when nothing is needed). */
export interface Answer {
  statements: Statement[];
  todo: string[];
}

/** What the answer is judged from: the report's (or the run draft's) fields. */
export type AnswerInput = Pick<
  BrowserReport,
  'verdict' | 'paths' | 'udp' | 'natPresent' | 'mapping' | 'signaling'
> & {
  peer: Pick<NonNullable<BrowserReport['peer']>, 'selectedPair'> | null;
  /** The gathered candidates, for the IPv6 line (`ipv6-statement.ts`); without them there is no such line. */
  candidates?: readonly BrowserCandidate[];
};

const RELAY_PORTS = "the TURN server's relay ports";
const WORDS: Readonly<Record<PathKind, string>> = {
  stun: 'STUN',
  'turn-udp': 'TURN over UDP',
  'turn-tcp': 'TURN over TCP',
  turns: 'TURN over TLS',
};

const worked = (p: PathResult): boolean => (p.kind === 'stun' ? p.gathered : p.proof?.ok === true);
const portOf = (p: PathResult): number | null => parseIceUrl(p.url)?.port ?? null;
const where = (p: PathResult): string => {
  const u = parseIceUrl(p.url);
  return u ? hostPort(u.host, u.port) : p.url;
};

/** `a`, `a and b`, `a, b and c`. */
function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * What a firewall must let through to reach the servers of `paths` (one clause per host, ports in the order
 * met): "UDP 3478 and TCP 443 to turn.example.org". `relayPorts` adds the TURN server's relay ports over UDP
 * (RFC 8656 §6.2) for a host with a TURN/UDP path: the range when the page was told it (`PathResult.relayPorts`,
 * the bundled server's: "UDP 3478 and 49152–65535"), else in words.
 */
export function firewallAsk(paths: readonly PathResult[], relayPorts: boolean): string {
  const hosts = new Map<string, { udp: Set<string>; tcp: Set<string>; relayInWords: boolean }>();
  for (const p of paths) {
    const u = parseIceUrl(p.url);
    if (!u) continue;
    const h = hosts.get(u.host) ?? { udp: new Set<string>(), tcp: new Set<string>(), relayInWords: false };
    (u.transport === 'udp' ? h.udp : h.tcp).add(String(u.port));
    if (relayPorts && p.kind === 'turn-udp') {
      if (p.relayPorts) h.udp.add(`${p.relayPorts.min}–${p.relayPorts.max}`);
      else h.relayInWords = true;
    }
    hosts.set(u.host, h);
  }
  return list(
    [...hosts].map(([host, h]) => {
      const parts = [
        h.udp.size > 0 ? `UDP ${list([...h.udp])}` : '',
        h.relayInWords ? `UDP on ${RELAY_PORTS}` : '',
        h.tcp.size > 0 ? `TCP ${list([...h.tcp])}` : '',
      ].filter(Boolean);
      return `${list(parts)} to ${host}`;
    }),
  );
}

/** The relay statement of `kinds` from the paths' proofs: works, failed, or not tested (none configured). */
function relayStatement(
  key: string,
  kinds: readonly PathKind[],
  paths: readonly PathResult[],
  label: string,
): Statement {
  const tested = paths.filter((p) => kinds.includes(p.kind));
  const ok = tested.filter(worked);
  if (tested.length === 0)
    return { key, mark: 'unknown', text: `${label}: not tested`, why: 'no such TURN server was configured' };
  if (ok.length > 0) {
    const on = ok.map((p) => `${WORDS[p.kind]} on ${where(p)}`);
    return { key, mark: 'ok', text: `${label} works`, why: list([...new Set(on)]) };
  }
  const why = tested[0]!.proof?.error ?? tested[0]!.error;
  return {
    key,
    mark: 'fail',
    text: `${label} does not work from here`,
    why: `${list(tested.map((p) => `${WORDS[p.kind]} on ${where(p)}`))} failed${why ? `: ${why}` : ''}`,
  };
}

/** The direct-call statement: from the two-peer call when it ran, else from UDP and the NAT's mapping. */
function directStatement(input: AnswerInput): Statement {
  const key = 'direct';
  const pair = input.peer?.selectedPair;
  if (pair) {
    const relayed = pair.localType === 'relay' || pair.remoteType === 'relay';
    return relayed
      ? {
          key,
          mark: 'warn',
          text: 'The call to the other browser needed a relay',
          why: 'no direct path between the two worked',
        }
      : { key, mark: 'ok', text: 'The call to the other browser connected directly' };
  }
  const code = input.verdict.code;
  if (!input.udp)
    return input.paths.some(worked)
      ? {
          key,
          mark: 'fail',
          text: 'Direct calls do not work from here',
          why: 'UDP gets no answer on this network',
        }
      : {
          key,
          mark: 'unknown',
          text: 'Direct calls: not known',
          why: 'no server answered, so a blocked network and a server that is down look the same',
        };
  if (code === 'relay-only')
    return {
      key,
      mark: 'fail',
      text: 'Direct calls cannot be set up from here',
      why: 'no STUN server answered',
    };
  if (code === 'symmetric-nat')
    return {
      key,
      mark: 'warn',
      text: 'Direct calls work only with some peers',
      why: "this network's NAT gives a new public port per destination",
    };
  if (input.natPresent === false)
    return { key, mark: 'ok', text: 'Direct calls should work', why: 'UDP works and there is no NAT' };
  if (input.mapping === 'endpoint-independent')
    return {
      key,
      mark: 'ok',
      text: 'Direct calls should work with most peers',
      why: "UDP works and this network's NAT keeps one public port per socket",
    };
  return {
    key,
    mark: 'unknown',
    text: 'Direct calls: not known',
    why: "UDP works, but how this network's NAT maps addresses could not be judged",
  };
}

/** The statements judged from the paths (direct, relay over UDP, relay over TCP/TLS). */
function transportStatements(input: AnswerInput): Statement[] {
  return [
    directStatement(input),
    relayStatement('relay-udp', ['turn-udp'], input.paths, 'Relayed over UDP'),
    relayStatement('relay-stream', ['turn-tcp', 'turns'], input.paths, 'Relayed over TCP/TLS'),
  ];
}

/** What the network blocks: the UDP URLs and the TURN server's relay ports. */
const udpAsk = (paths: readonly PathResult[]): string =>
  firewallAsk(
    paths.filter((p) => p.kind === 'stun' || p.kind === 'turn-udp'),
    true,
  );

/** The answer's first statement and its to-do, per verdict code. */
function headline(input: AnswerInput): { calls: Statement; todo: string[] } {
  const { paths, verdict } = input;
  const key = 'calls';
  const relay = paths.find((p) => p.kind !== 'stun' && worked(p));
  const ask = (what: string): string => (what ? `Ask your IT team to allow ${what}.` : '');
  switch (verdict.code) {
    case 'browser-ignores-loopback':
      return {
        calls: {
          key,
          mark: 'unknown',
          text: 'Not tested: this browser ignores servers on this machine',
          why: 'every STUN/TURN server is on a loopback address, and this browser does not use those (Firefox: media.peerconnection.ice.loopback)',
        },
        todo: [
          'Open this page by the machine’s network address or name (ice-doctor serve --public-host NAME) instead of 127.0.0.1 or localhost, or from another device.',
          'Or, in Firefox, set media.peerconnection.ice.loopback to true in about:config, then run the checks again.',
        ],
      };
    case 'no-candidates':
      return {
        calls: {
          key,
          mark: 'fail',
          text: 'This browser cannot make calls right now',
          why: 'it gathered no candidate at all, not even its own address: WebRTC is off (a policy or an extension) or the browser has no usable network',
        },
        todo: [
          'Allow WebRTC in this browser (check extensions and policies that block it), then run the checks again.',
        ],
      };
    case 'same-machine':
      return {
        calls: {
          key,
          mark: 'unknown',
          text: "The servers work, but this network's NAT and firewall were not tested",
          why: 'the servers are on this machine, so the test never left it',
        },
        todo: [
          'To test a network, open this page from another device (ice-doctor serve --public-host NAME gives it a link that works there).',
        ],
      };
    case 'signaling-blocked':
      return {
        calls: {
          key,
          mark: 'fail',
          text: 'Calls cannot be set up from here',
          why: 'this browser cannot open the signaling connection',
        },
        todo: [ask(`WebSocket connections to ${list(input.signaling.map((s) => s.url))}`)],
      };
    case 'no-path':
      return {
        calls: {
          key,
          mark: 'fail',
          text: 'Calls cannot connect from here',
          why: 'no STUN or TURN server answered over UDP, TCP or TLS',
        },
        todo: ['Check that the servers run (they may be down for everyone).', ask(firewallAsk(paths, true))],
      };
    case 'turn-credentials-rejected':
      return {
        calls: input.udp
          ? {
              key,
              mark: 'warn',
              text: 'Direct calls only: the relay refuses this page',
              why: 'the TURN server rejects the credentials (401)',
            }
          : {
              key,
              mark: 'fail',
              text: 'Calls cannot connect from here',
              why: 'UDP gets no answer and the TURN server rejects the credentials (401)',
            },
        todo: [
          "The server's operator must fix the TURN credentials (the shared secret or the user and password).",
        ],
      };
    case 'udp-blocked-tls-works':
    case 'only-tls-443':
    case 'udp-blocked-tcp-works': {
      const over = list([
        ...new Set(
          (['turn-tcp', 'turns'] as const).flatMap((kind) =>
            paths
              .filter((p) => p.kind === kind && worked(p))
              .map((p) => `${kind === 'turns' ? 'TLS' : 'TCP'} on port ${portOf(p) ?? '?'}`),
          ),
        ),
      ]).replace(/ and (?=[^,]*$)/, ' or ');
      return {
        calls: {
          key,
          mark: 'warn',
          text: `Calls connect, but only through the relay over ${over || 'TCP/TLS'}`,
          why: 'UDP is blocked on this network: calls are slower and need the TURN server',
        },
        todo: [ask(`${udpAsk(paths)}, for faster calls`)],
      };
    }
    case 'relay-only':
      return {
        calls: {
          key,
          mark: 'warn',
          text: 'Calls connect, but only through the relay',
          why: 'no STUN server answered, so direct calls cannot be set up',
        },
        todo: [
          ask(
            firewallAsk(
              paths.filter((p) => p.kind === 'stun'),
              false,
            ),
          ),
        ],
      };
    case 'symmetric-nat':
      return relay
        ? {
            calls: {
              key,
              mark: 'ok',
              text: 'Calls connect, some through the relay',
              why: "this network's NAT blocks direct calls to peers behind similar NATs",
            },
            todo: [],
          }
        : {
            calls: {
              key,
              mark: 'warn',
              text: 'Some calls will fail',
              why: "this network's NAT blocks direct calls to peers behind similar NATs, and no relay works",
            },
            todo: [
              'Set up a TURN server that works from here (or ask your IT team for a NAT that keeps one public port per socket).',
            ],
          };
    case 'no-relay':
      return {
        calls: {
          key,
          mark: 'warn',
          text: 'Calls connect with most peers, but without a relay',
          why: 'every TURN path failed its test: peers behind strict NATs or firewalls cannot be reached',
        },
        todo: ['Check the TURN server: Details → Paths says why each relay failed.'],
      };
    case 'turn-udp-only':
      return {
        calls: { key, mark: 'ok', text: 'Calls connect from here' },
        todo: [
          'If you run the server: open its TURN TCP/TLS ports (and check its certificate), so people on networks that block UDP can be relayed.',
        ],
      };
    case 'relayed':
      return { calls: { key, mark: 'ok', text: 'Calls connect, through a relay' }, todo: [] };
    case 'direct':
      return { calls: { key, mark: 'ok', text: 'Calls connect from here' }, todo: [] };
    case 'udp-works':
      return relay
        ? {
            calls: {
              key,
              mark: 'ok',
              text: 'Calls should connect from here',
              why: 'UDP works, and a relay is there for peers that need one',
            },
            todo: [],
          }
        : {
            calls: {
              key,
              mark: 'warn',
              text: 'Calls should connect with most peers',
              why: 'UDP works, but no relay was proved for peers that need one',
            },
            todo: [],
          };
    default:
      return { calls: { key, mark: 'unknown', text: verdict.text }, todo: [] };
  }
}

/**
 * The plain answer of a run (see the module comment). For `browser-ignores-loopback` and `no-candidates` the
 * path statements are left out: the browser used no server, so they would say nothing true about the network.
 * For `same-machine` a `servers` statement says the servers answered, and the direct-call one is `unknown`.
 */
export function answer(input: AnswerInput): Answer {
  const { calls, todo: steps } = headline(input);
  const todo = steps.filter((s) => s !== '');
  const code = input.verdict.code;
  if (code === 'browser-ignores-loopback' || code === 'no-candidates') return { statements: [calls], todo };
  const rest = transportStatements(input);
  if (code === 'same-machine') {
    const relays = rest
      .slice(1)
      .map((s) => ({ ...s, text: s.mark === 'ok' ? `${s.text} (on this machine)` : s.text }));
    return {
      statements: [
        calls,
        {
          key: 'servers',
          mark: input.paths.some(worked) ? 'ok' : 'fail',
          text: input.paths.some(worked) ? 'The STUN/TURN servers answer' : 'No STUN/TURN server answered',
        },
        {
          key: 'direct',
          mark: 'unknown',
          text: 'Direct calls over a network: not tested',
          why: 'both ends of every test were on this machine',
        },
        ...relays,
        ...outsideReachStatements(input.paths),
      ],
      todo,
    };
  }
  const ipv6 = input.candidates ? [ipv6Statement(input.candidates)] : [];
  return { statements: [calls, ...rest, ...outsideReachStatements(input.paths), ...ipv6], todo };
}
