import type { ProxyUse } from '../../report/proxy-schema.js';
import type { TurnCheckReport, TurnDiagnosisCode, TurnTargetReport } from '../../report/schema.js';

/**
 * The findings that mean a target's packets did not get through to a TURN server (no answer, a refused or
 * dropped connection, a proxy that would not tunnel): nothing of the server was seen. Any other failure
 * means something answered, so the network let it through — an ICMP port unreachable too
 * (`udp-port-unreachable`: the server's host answered, UDP left the network).
 */
const NOT_THROUGH: ReadonlySet<TurnDiagnosisCode> = new Set([
  'udp-silent',
  'connect-timeout',
  'tcp-port-closed',
  'connection-failed',
]);

/** The findings of silence: nothing came back at all (a dropped packet, no TCP handshake). */
const SILENT: ReadonlySet<TurnDiagnosisCode> = new Set(['udp-silent', 'connect-timeout']);

/** The first failure's code of a target that failed, or null. */
function firstFailure(t: TurnTargetReport): TurnDiagnosisCode | null {
  return t.diagnoses.find((d) => d.severity === 'fail')?.code ?? null;
}

/** The host of a target's URL (lower case, no brackets), or null when it does not parse. */
function hostOf(t: TurnTargetReport): string | null {
  const m = /^turns?:(\[[^\]]+\]|[^:?]+)/i.exec(t.url);
  return m ? m[1]!.replace(/^\[|\]$/g, '').toLowerCase() : null;
}

/** Whether two targets name the same server: the same URL host, or the same resolved address. */
function sameServer(a: TurnTargetReport, b: TurnTargetReport): boolean {
  const host = hostOf(a);
  if (host !== null && host === hostOf(b)) return true;
  return a.server !== null && b.server !== null && a.server.address === b.server.address;
}

/** True for a target through the proxy to port 443 that passed. */
function proxied443(t: TurnTargetReport): boolean {
  return t.ok && t.viaProxy === true && t.server?.port === 443 && t.transport !== 'udp';
}

/**
 * Whether the observations show that only TURN over TLS (or TCP) on port 443 through the proxy works: a
 * proxy was used; at least one `turns:` target through it to port 443 passed and every passing target is
 * such a one; a UDP target at the SAME server (URL host or address) as a passing one got nothing back
 * (`udp-silent`: a dead other server proves nothing about this network), and every target that failed did
 * so without reaching a server ({@link NOT_THROUGH}: UDP silent, the proxy refused the port, no
 * connection). A failure that shows the server answering (credentials, a relay problem, an ICMP port
 * unreachable) rules it out.
 */
export function onlyTls443ViaProxy(
  targets: readonly TurnTargetReport[],
  proxy: ProxyUse | undefined,
): boolean {
  if (!proxy) return false;
  const passed = targets.filter((t) => t.ok);
  const tls443 = passed.filter((t) => proxied443(t) && t.transport === 'tls');
  if (tls443.length === 0 || !passed.every(proxied443)) return false;
  const silentUdp = (t: TurnTargetReport): boolean =>
    t.transport === 'udp' && firstFailure(t) === 'udp-silent';
  if (!targets.some((u) => silentUdp(u) && tls443.some((t) => sameServer(u, t)))) return false;
  const failed = targets.filter((t) => !t.ok);
  return failed.every((t) => {
    const code = firstFailure(t);
    return code !== null && NOT_THROUGH.has(code);
  });
}

/** The `only-tls-443-via-proxy` finding: what works, what did not, and what to do, in plain words. */
function onlyTlsFinding(targets: readonly TurnTargetReport[], proxy: ProxyUse): string {
  const udp = targets.filter((t) => t.transport === 'udp').map((t) => t.url);
  const refused = targets.filter((t) => !t.ok && t.transport !== 'udp').map((t) => t.url);
  const others = refused.length > 0 ? `; ${refused.join(', ')} did not get through the proxy` : '';
  return (
    `Only TURN over TLS on port 443, through your proxy (${proxy.url}), worked: UDP to the same server got nothing back ` +
    `(${udp.join(', ')})${others}. TCP and TLS were tried through the proxy only, not directly. WebRTC calls ` +
    'from this network can use only a turns: server on port 443 (browsers take the system proxy for TURN over ' +
    'TLS): slower than UDP, and every call is relayed. Ask IT to allow UDP to port 3478 and to the TURN ' +
    "server's relay port range, or keep a turns:…:443 server in your ICE servers."
  );
}

/**
 * The summary's opening for {@link onlyTls443ViaProxy}: what worked, and that direct TCP/TLS was not tried
 * (every TCP/TLS target went through the proxy) or got nothing back (some went direct, NO_PROXY).
 */
function onlyTlsSummary(targets: readonly TurnTargetReport[]): string {
  const direct = targets.some((t) => t.transport !== 'udp' && t.viaProxy !== true);
  return (
    'Only TURN over TLS on port 443, through your proxy, worked: UDP to the same server got nothing back, ' +
    `direct TCP/TLS ${direct ? 'did not connect' : 'not tried'}.`
  );
}

/**
 * The whole-run verdicts about the network rather than one server (issue 16 §4): with a proxy, when
 * {@link onlyTls443ViaProxy} holds, an `only-tls-443-via-proxy` warning on each passing target and the
 * summary opening with it; without a proxy, when every target (UDP and TCP/TLS) got nothing back at all, the
 * summary adds that this network may let nothing out but a web proxy — or the server is down, which the
 * observations cannot tell apart. Otherwise the report is returned as it is. Pure.
 */
export function withNetworkVerdict(report: TurnCheckReport): TurnCheckReport {
  const { targets, proxy } = report;
  if (proxy && onlyTls443ViaProxy(targets, proxy)) {
    const message = onlyTlsFinding(targets, proxy);
    const finding = {
      code: 'only-tls-443-via-proxy' as const,
      severity: 'warn' as const,
      step: null,
      message,
    };
    return {
      ...report,
      summary: `${onlyTlsSummary(targets)} ${report.summary}`,
      targets: targets.map((t) => (t.ok ? { ...t, diagnoses: [...t.diagnoses, finding] } : t)),
    };
  }
  const silent = targets.length > 0 && targets.every((t) => SILENT.has(firstFailure(t) ?? 'no-answer'));
  const both = targets.some((t) => t.transport === 'udp') && targets.some((t) => t.transport !== 'udp');
  if (proxy || !silent || !both) return report;
  return {
    ...report,
    summary:
      `${report.summary} Nothing came back over UDP, TCP or TLS: this network may let nothing out except ` +
      'through a web proxy (an office network: give it with --proxy http://host:port or HTTPS_PROXY), or the ' +
      'server is down or unreachable — from here the two look the same.',
  };
}
