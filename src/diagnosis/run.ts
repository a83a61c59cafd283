import type { DiagnosisReport, ProbeReport } from '../report/schema.js';
import { isResolveFailure } from '../stun-probe/resolve.js';
import { runProbe } from '../stun-probe/run-probe.js';
import { DEFAULT_ADDRESSES } from '../turn-server/options.js';
import { startStunServer } from '../turn-server/server.js';

/** What the main job probes and how long it may take. */
export interface DiagnosisOptions {
  /** Public STUN server URLs (RFC 5780 one first). */
  servers: string[];
  /** Deadline of each probe, in ms. */
  timeoutMs: number;
  onProgress?: (text: string) => void;
}

/** One line saying why the public servers gave nothing, or null when at least one answered. */
export function publicUnreachableReason(report: ProbeReport): string | null {
  if (report.reachability.some((r) => r.reachable)) return null;
  const errors = report.reachability.map((r) => r.error ?? 'no answer');
  const dns = report.reachability.filter((r) => isResolveFailure(r.error)).length;
  if (dns === errors.length && dns > 0) {
    return `public STUN servers are unreachable: DNS lookup failed for all ${dns} (offline?)`;
  }
  return `public STUN servers are unreachable: none of ${report.servers.length} answered (${[...new Set(errors)].join('; ')})`;
}

/**
 * The main job: probes the public servers and, at the same time, self-tests the bundled RFC 5780 server
 * started on the embedded default (127.0.0.1 and 127.0.0.2, free ports) — so a report is produced even
 * offline. The server is closed before returning.
 * @throws UserError when the bundled server cannot listen at all.
 */
export async function runDiagnosis(opts: DiagnosisOptions): Promise<DiagnosisReport> {
  const started = performance.now();
  opts.onProgress?.('starting the bundled STUN server');
  const server = await startStunServer({ addresses: [...DEFAULT_ADDRESSES], port: 0 });
  try {
    opts.onProgress?.('probing public servers and the bundled server');
    const primary = server.primary;
    const [pub, self] = await Promise.all([
      runProbe({ urls: opts.servers, timeoutMs: opts.timeoutMs }),
      runProbe({
        urls: [`stun:${primary.address}:${primary.port}`],
        timeoutMs: opts.timeoutMs,
        hairpin: true,
      }),
    ]);
    const publicUnreachable = publicUnreachableReason(pub);
    return {
      schemaVersion: 1,
      tool: 'ice-doctor',
      kind: 'diagnosis',
      public: publicUnreachable ? null : pub,
      publicUnreachable,
      selfTest: {
        server: {
          udp: server.udp,
          tcp: server.tcp,
          otherAddress: server.otherAddress,
          limitations: server.limitations,
        },
        probe: self,
      },
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await server.close();
  }
}
