import pc from 'picocolors';
import type { DiagnosisReport } from '../report/schema.js';
import { formatAddress } from '../stun/address.js';
import { renderProbeText } from '../stun-probe/render-text.js';
import { renderTurnCheckText } from '../stun-probe/turn-render-text.js';

/**
 * Renders the main job's report: the public-network part (or why it is missing), then the self-test of the
 * bundled server: its RFC 5780 probe and its TURN check.
 */
export function renderDiagnosisText(r: DiagnosisReport): string {
  const out: string[] = [];
  if (r.public) {
    out.push(pc.bold('Your network (public STUN servers)'), renderProbeText(r.public), '');
  } else {
    out.push(pc.yellow(`! ${r.publicUnreachable} — showing the local self-test only.`), '');
  }
  const s = r.selfTest.server;
  out.push(pc.bold(`Self-test: bundled RFC 5780 STUN server on ${s.udp.map(formatAddress).join(', ')}`));
  for (const l of s.limitations) out.push(pc.yellow(`  limitation: ${l}`));
  out.push(renderProbeText(r.selfTest.probe), '');
  out.push(pc.bold('Self-test: bundled TURN server (turn-check over UDP, TCP and TLS)'));
  out.push(renderTurnCheckText(r.selfTest.turn), '');
  out.push(
    pc.dim(
      `Total ${r.durationMs} ms. Run \`ice-doctor serve\` to keep the servers running, \`ice-doctor probe --help\` to test other servers.`,
    ),
  );
  return out.join('\n');
}
