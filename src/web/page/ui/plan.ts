import type { CandidateType } from '../../../report/browser-schema.js';
import type { IceConfig, IceServer, PathTarget } from '../../api-schema.js';
import { ipFamily } from '../address.js';
import { parseIceUrl } from '../ice-url.js';
import type { MappingProbe } from '../nat-facts.js';

/**
 * The plan of a run, built from `GET /api/ice-servers` before anything is sent: which peer connections the
 * page opens, with which servers and policy, and how long each may take. Pure (no DOM), so it is testable.
 */

/** How long each part of a run may take, in ms; a part that runs out is reported as such, never waited on. */
export const DEADLINES = {
  /** A path without its first srflx (STUN) or relay (TURN) candidate by then is "not gathered". */
  gatherMs: 4000,
  /** A relay proof (connect, echo, read stats) after the path gathered. */
  proofMs: 5000,
  /** The policy-`all` call: connect and read the selected pair. */
  callMs: 5000,
  /** The mapping probe's gathering (both STUN servers answer, or time out). */
  mappingMs: 4000,
} as const;

/** `pathId` of the policy-`all` call's candidates (as in the report schema). */
export const CALL_PATH_ID = 'call';
/** `pathId` of the mapping probe's candidates: one connection asking every STUN target with an IP at once. */
const MAPPING_PATH_ID = 'mapping';

/** One row of the path matrix: its own peer connection, gathering until its first candidate of `expect`. */
export interface PathPlan {
  target: PathTarget;
  /** The target's one URL (`iceServer.urls`). */
  url: string;
  /** `all` for a STUN path (it needs host candidates for srflx), `relay` for a TURN path (RFC 8656 only). */
  policy: 'all' | 'relay';
  /** The candidate type that proves the path: `srflx` from STUN, `relay` from TURN (RFC 8445 §5.1.1). */
  expect: Extract<CandidateType, 'srflx' | 'relay'>;
  /** True for TURN paths: once gathered, a loopback call through the relay proves it (relay-proof.ts). */
  prove: boolean;
}

/** Everything a run does. */
export interface RunPlan {
  paths: PathPlan[];
  /**
   * The mapping probe (nat-facts.ts `MappingProbe` without `complete`): planned when the STUN targets have IP
   * literals on at least two different addresses, else null (one server IP tells nothing about mapping).
   */
  mapping: { pathId: string; servers: MappingProbe['servers']; iceServers: IceServer[] } | null;
  /** Every server at once, for the page's own call. */
  callServers: IceServer[];
  /** The page's own call's `iceTransportPolicy`: `all` unless the visitor chose `relay` (ui/your-servers.ts). */
  callPolicy: 'all' | 'relay';
  /** Every TURN username and credential handed out (and `extraSecrets`), for the export's redaction. */
  secrets: string[];
}

/** What the visitor adds to a plan: the policy of the page's call and more strings to redact. */
export interface PlanOptions {
  /** The page's call's `iceTransportPolicy` (default `all`). */
  callPolicy?: 'all' | 'relay';
  /** Strings to redact besides the targets' credentials (a visitor's shared secrets). */
  extraSecrets?: readonly string[];
}

/**
 * Builds the {@link RunPlan} of one `GET /api/ice-servers` answer (with the visitor's targets added, if any:
 * visitor-servers/targets.ts `withVisitorTargets`).
 */
export function planRun(ice: IceConfig, options: PlanOptions = {}): RunPlan {
  const paths = ice.targets.map(
    (target): PathPlan => ({
      target,
      url: target.iceServer.urls,
      policy: target.kind === 'stun' ? 'all' : 'relay',
      expect: target.kind === 'stun' ? 'srflx' : 'relay',
      prove: target.kind !== 'stun',
    }),
  );
  const stun = ice.targets
    .filter((t) => t.kind === 'stun')
    .map((t) => ({
      url: t.iceServer.urls,
      address: parseIceUrl(t.iceServer.urls)?.host ?? '',
      iceServer: t.iceServer,
    }))
    .filter((s) => ipFamily(s.address) !== null);
  const mapping =
    new Set(stun.map((s) => s.address)).size >= 2
      ? {
          pathId: MAPPING_PATH_ID,
          servers: stun.map(({ url, address }) => ({ url, address })),
          iceServers: stun.map((s) => s.iceServer),
        }
      : null;
  const servers = [...ice.iceServers, ...ice.targets.map((t) => t.iceServer)];
  const secrets = [
    ...servers.flatMap((s) => [s.username, s.credential]),
    ...(options.extraSecrets ?? []),
  ].filter((s): s is string => !!s);
  return {
    paths,
    mapping,
    callServers: ice.iceServers,
    callPolicy: options.callPolicy ?? 'all',
    secrets: [...new Set(secrets)],
  };
}
