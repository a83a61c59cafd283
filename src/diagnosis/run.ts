import { runProbe } from '../client/nat-probe/run-probe.js';
import { isResolveFailure } from '../client/transport/resolve.js';
import { runTurnCheck } from '../client/turn-check/run.js';
import { parseTurnTargets } from '../client/url/turn-url.js';
import type { DiagnosisReport, ProbeReport } from '../report/schema.js';
import { DEFAULT_ADDRESSES } from '../server/stun/options.js';
import { startTurnServer } from '../server/turn/server.js';
import { iceUrlText } from '../shared/ice-url.js';

/** What the main job probes and how long it may take. */
export interface DiagnosisOptions {
  /** Public STUN server URLs (RFC 5780 one first). */
  servers: string[];
  /** Deadline of each probe, in ms. */
  timeoutMs: number;
  onProgress?: (text: string) => void;
}

/**
 * One line saying why the public servers gave nothing, or null when at least one answered. Uses the probe's
 * own distinction (`udpStatus`): DNS failed, the deadline came first, or nothing answered on any transport
 * (the servers are down or unreachable: not a verdict on UDP).
 */
export function publicUnreachableReason(report: ProbeReport): string | null {
  if (report.reachability.some((r) => r.reachable)) return null;
  const errors = report.reachability.map((r) => r.error ?? 'no answer');
  const dns = report.reachability.filter((r) => isResolveFailure(r.error)).length;
  if (dns === errors.length && dns > 0) {
    return `public STUN servers are unreachable: DNS lookup failed for all ${dns} (offline?)`;
  }
  if (report.udpStatus === 'deadline')
    return 'public STUN servers did not answer before the deadline (--timeout): nothing is known about UDP';
  return `public STUN servers are unreachable: none of ${report.servers.length} answered on any transport (${[...new Set(errors)].join('; ')})`;
}

/**
 * The main job: probes the public servers and, at the same time, self-tests the bundled STUN/TURN server
 * started on the embedded default (127.0.0.1 and 127.0.0.2, free ports, a generated user, a self-signed
 * certificate): its RFC 5780 probe, and `turn-check` end to end over UDP, TCP and TLS (the certificate is
 * the one it just generated, so it is not verified) — so a report is produced even offline. The server is
 * closed before returning.
 * @throws UserError when the bundled server cannot listen at all.
 */
export async function runDiagnosis(opts: DiagnosisOptions): Promise<DiagnosisReport> {
  const started = performance.now();
  opts.onProgress?.('starting the bundled STUN/TURN server');
  const addresses = [...DEFAULT_ADDRESSES];
  // No TURN settings: the server's own defaults, a generated user and loopback peers (every address is).
  const server = await startTurnServer({ addresses, port: 0 });
  const stun = server.fronts[0]!;
  const user = server.generatedUser!;
  try {
    opts.onProgress?.('probing public servers and the bundled server');
    const primary = stun.primary;
    const [pub, self, turn] = await Promise.all([
      runProbe({ urls: opts.servers, timeoutMs: opts.timeoutMs }),
      runProbe({
        urls: [iceUrlText('stun', primary.address, primary.port)],
        timeoutMs: opts.timeoutMs,
        hairpin: true,
      }),
      runTurnCheck({
        targets: parseTurnTargets([
          iceUrlText('turn', server.turnUdp[0]!.address, server.turnUdp[0]!.port),
          ...server.turnTls.map((a) => iceUrlText('turns', a.address, a.port)),
        ]),
        credentials: { credentials: user, source: 'long-term' },
        insecure: true,
        timeoutMs: opts.timeoutMs,
        // A loopback relay's quality says nothing about the network, and would add ~1 s to the main job.
        quality: false,
      }),
    ]);
    const publicUnreachable = publicUnreachableReason(pub);
    return {
      schemaVersion: 1,
      tool: 'ice-doctor',
      kind: 'diagnosis',
      public: publicUnreachable ? null : pub,
      publicUnreachable,
      publicReachability: pub.reachability,
      selfTest: {
        server: {
          udp: stun.udp,
          tcp: stun.tcp,
          otherAddress: stun.otherAddress,
          limitations: stun.limitations,
        },
        probe: self,
        turn,
      },
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await server.close();
  }
}
