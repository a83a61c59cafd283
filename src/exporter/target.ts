import { parseStunUrl, type StunUrl } from '../client/url/stun-url.js';
import { parseTurnUrl, type TurnTarget, turnTargets } from '../client/url/turn-url.js';
import { IceUrlError, parseIceServerUrl } from '../shared/ice-url.js';
import type { ProbeModule, StunProbeModule, TurnProbeModule } from './module.js';
import { ProbeRequestError } from './request-error.js';

/** What one `/probe` checks: the module, the host, and the TURN targets (one per transport) or the STUN URL. */
export type ProbePlan =
  | { kind: 'turn'; module: TurnProbeModule; host: string; targets: TurnTarget[] }
  | { kind: 'stun'; module: StunProbeModule; host: string; url: StunUrl };

const SCHEME = /^(stuns?|turns?):/i;

/** The target with the module's scheme (and transport) put in front of a bare `host[:port]`. */
function withScheme(target: string, module: ProbeModule): string {
  if (SCHEME.test(target) || module.kind === 'stun') return target;
  if (module.transport === 'tls') return `turns:${target}`;
  return module.transport === undefined ? `turn:${target}` : `turn:${target}?transport=${module.transport}`;
}

/**
 * Refuses credentials in the target before anything else reads it: a `user@` part or any query parameter
 * but `transport=` (`?password=`, `?credential=` …). Credentials come from the module only (environment
 * variables or files), never from a URL that Prometheus logs and shows on its targets page.
 * @throws ProbeRequestError 400.
 */
function refuseCredentials(url: string): void {
  const parsed = parseIceServerUrl(url);
  if (!parsed.ok) return;
  if (parsed.url.userinfo || parsed.url.extraQuery)
    throw new ProbeRequestError(
      400,
      'target: credentials are never taken from the target (no user@, no query but ?transport=udp|tcp); ' +
        "put them in the module's credentials (an environment variable or a file)",
    );
}

/**
 * The plan of one probe from the `target` parameter and the module: a `kind: turn` module takes
 * `turn:host[:port][?transport=udp|tcp]`, `turns:host[:port]` (RFC 7065) or a bare `host[:port]` (made a
 * `turn:`/`turns:` URL by the module's `transport`); a `kind: stun` module `stun:`/`stuns:` URLs or a bare
 * `host[:port]` (RFC 7064). The module's `transport` narrows a `turn:` URL to one transport.
 * @throws ProbeRequestError 400: no target, credentials in it, not a URL of the module's kind, or a
 *   transport the module does not probe.
 */
export function probePlan(target: string | undefined, module: ProbeModule): ProbePlan {
  if (target === undefined || target.trim() === '')
    throw new ProbeRequestError(
      400,
      'target: missing (e.g. ?target=turns:turn.example.org:5349&module=NAME)',
    );
  const url = withScheme(target.trim(), module);
  refuseCredentials(url);
  try {
    if (module.kind === 'stun') {
      const stun = parseStunUrl(url);
      return { kind: 'stun', module, host: stun.host, url: stun };
    }
    const turn = parseTurnUrl(url);
    const wanted = module.transport;
    if (wanted !== undefined && !turn.transports.includes(wanted))
      throw new ProbeRequestError(
        400,
        `target: module "${module.name}" probes over ${wanted}, "${target}" is ${turn.transports.join(' and ')}`,
      );
    const targets = turnTargets(turn).filter((t) => wanted === undefined || t.transport === wanted);
    return { kind: 'turn', module, host: turn.host, targets };
  } catch (err) {
    if (err instanceof IceUrlError) throw new ProbeRequestError(400, `target: ${err.message}`);
    throw err;
  }
}

/**
 * Whether `host` matches one of `patterns` (case-insensitive): the same name or IP literal, or
 * `*.example.org` for any name below example.org (not example.org itself). Matched on the name as written
 * in the target, not on what it resolves to.
 */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((p) => {
    const pattern = p.toLowerCase();
    return pattern.startsWith('*.') ? h.endsWith(pattern.slice(1)) : h === pattern;
  });
}

/**
 * The plan, refused with 403 when `allowedTargets` is set and the host matches none of it (so the exporter
 * does not probe whatever host a caller names, an SSRF risk).
 * @throws ProbeRequestError 400 (see {@link probePlan}) or 403.
 */
export function allowedPlan(
  target: string | undefined,
  module: ProbeModule,
  allowedTargets: readonly string[] | null,
): ProbePlan {
  const plan = probePlan(target, module);
  if (allowedTargets !== null && !hostAllowed(plan.host, allowedTargets))
    throw new ProbeRequestError(
      403,
      `target: host "${plan.host}" is not in allowedTargets of the config file`,
    );
  return plan;
}
